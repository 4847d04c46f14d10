export type SafePath = { ok: true; pathAndQuery: string } | { ok: false; reason: string };

const MAX_PATH = 8192;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\s]/;
/** Enough for any honest double encoding; deeper nesting is only ever an attempt to hide something. */
const MAX_DECODE_ROUNDS = 8;
/** What a request target may carry on the wire (undici refuses anything else): printable ASCII. */
const NOT_WIRE_SAFE = /[^\u0021-\u007e]/g;

/**
 * A segment as the most permissive server could read it: percent-decoded until stable (a
 * proxy in front may decode once more), Unicode NFKC-normalised ("．" is "."), without the
 * ";" parameters Tomcat and Spring strip before resolving dot segments.
 */
function interpretSegment(raw: string): { ok: true; value: string } | { ok: false; reason: string } {
  let current: string;
  try {
    current = decodeURIComponent(raw).normalize('NFKC');
  } catch {
    return { ok: false, reason: 'malformed percent-encoding in path' };
  }
  for (let round = 1; round < MAX_DECODE_ROUNDS && current.includes('%'); round++) {
    let next: string;
    try {
      next = decodeURIComponent(current).normalize('NFKC');
    } catch {
      // A literal "%" after the first decoding: the rest is data, not another encoding layer.
      break;
    }
    if (next === current) break;
    current = next;
  }
  if (/%[0-9a-f]{2}/i.test(current)) return { ok: false, reason: 'percent-encoding nested too deep in path' };
  return { ok: true, value: current };
}

function isDotSegment(value: string): boolean {
  const withoutParameters = value.split(';')[0] ?? '';
  // IIS and some proxies trim trailing spaces and dots: "..", "... " and ". ." all climb.
  return /^[.\s]*$/.test(withoutParameters) && withoutParameters.includes('.');
}

/** Percent-encodes what may not travel in a request target as is: non-ASCII as UTF-8, and "#" in a query. */
function wireSafe(text: string): string | undefined {
  try {
    return text.replace(NOT_WIRE_SAFE, (c) => encodeURIComponent(c));
  } catch {
    return undefined;
  }
}

function checkSegment(raw: string): string | undefined {
  const interpreted = interpretSegment(raw);
  if (!interpreted.ok) return interpreted.reason;
  const value = interpreted.value;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'encoded NUL or control character in path';
  if (value.includes('/') || value.includes('\\')) return 'dot segment or encoded slash in path';
  if (isDotSegment(value)) return 'dot segment in path (in some encoding)';
  return undefined;
}

/**
 * The request target to send to the configured base URL. Captured traffic never chooses the
 * destination: absolute URLs, "//host", backslashes, dot segments (in any encoding, with ";"
 * parameters or Unicode look-alikes) and control characters are refused or neutralized, so the
 * result is always a path below the base path, in printable ASCII.
 */
export function safeReplayPath(basePath: string, capturedPath: string, query: string): SafePath {
  if (capturedPath.length > MAX_PATH) return { ok: false, reason: 'path longer than 8192 characters' };
  if (CONTROL.test(capturedPath) || CONTROL.test(query)) return { ok: false, reason: 'control characters or spaces in path or query' };
  if (!capturedPath.startsWith('/')) return { ok: false, reason: 'path is not origin-form (does not start with "/")' };
  if (capturedPath.includes('\\')) return { ok: false, reason: 'backslash in path' };
  if (capturedPath.includes('#')) return { ok: false, reason: 'fragment in path' };
  const segments: string[] = [];
  for (const raw of capturedPath.split('/')) {
    if (raw === '') continue;
    const refused = checkSegment(raw);
    if (refused) return { ok: false, reason: refused };
    const encoded = wireSafe(raw);
    if (encoded === undefined) return { ok: false, reason: 'path is not valid Unicode (lone surrogate)' };
    segments.push(encoded);
  }
  const trailing = capturedPath.length > 1 && capturedPath.endsWith('/') ? '/' : '';
  const base = basePath.replace(/\/+$/, '');
  const path = `${base}/${segments.join('/')}${segments.length > 0 ? trailing : ''}`;
  const q = wireSafe((query.startsWith('?') ? query.slice(1) : query).replace(/#/g, '%23'));
  if (q === undefined) return { ok: false, reason: 'query is not valid Unicode (lone surrogate)' };
  return { ok: true, pathAndQuery: q ? `${path}?${q}` : path };
}
