/**
 * Route patterns: "/orders/:id" (a parameter matches one segment), "*" (one segment), "**" (any
 * number of segments, none included). Matching ignores a trailing slash.
 */
export interface CompiledRoute {
  pattern: string;
  regex: RegExp;
  /** Patterns with fewer wildcards win when several match. */
  specificity: number;
}

function escape(segment: string): string {
  return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileRoute(pattern: string): CompiledRoute {
  const segments = pattern.split('/').filter(Boolean);
  let specificity = 0;
  const parts = segments.map((s) => {
    if (s === '**') return '(?:/[^/]+)*';
    if (s === '*' || s.startsWith(':')) {
      specificity += 1;
      return '/[^/]+';
    }
    specificity += 100;
    return `/${escape(s)}`;
  });
  return { pattern, regex: new RegExp(`^${parts.join('') || ''}/?$`), specificity };
}

export function compileRoutes(patterns: readonly string[]): CompiledRoute[] {
  return patterns.map(compileRoute).sort((a, b) => b.specificity - a.specificity);
}

/** The most specific pattern matching the path, if any. */
export function matchRoute(routes: readonly CompiledRoute[], path: string): string | undefined {
  const clean = path.split('?')[0] ?? path;
  return routes.find((r) => r.regex.test(clean === '' ? '/' : clean))?.pattern;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMERIC = /^\d+$/;
const LONG_HEX = /^[0-9a-f]{16,}$/i;
/** Long mixed letters and digits: tokens, slugs with ids, base64url keys. */
const TOKEN_LIKE = /^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_-]{20,}$/;

function isIdLike(segment: string): boolean {
  return NUMERIC.test(segment) || UUID.test(segment) || LONG_HEX.test(segment) || TOKEN_LIKE.test(segment);
}

/**
 * "GET /orders/:id": the route template when the experiment names one, otherwise the path with
 * numeric ids, UUIDs, long hex and token-like segments replaced by ":id".
 */
export function normalizeEndpoint(method: string, path: string, templates: readonly CompiledRoute[] = []): string {
  const template = matchRoute(templates, path);
  if (template) return `${method} ${template}`;
  const clean = path.split('?')[0] ?? '/';
  const segments = clean.split('/').map((s) => (s !== '' && isIdLike(s) ? ':id' : s));
  return `${method} ${segments.join('/') || '/'}`;
}
