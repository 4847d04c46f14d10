export type SafePath = { ok: true; pathAndQuery: string } | { ok: false; reason: string };

const MAX_PATH = 8192;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\s]/;

/**
 * The request target to send to the configured base URL. Captured traffic never chooses the
 * destination: absolute URLs, "//host", backslashes, dot segments (encoded or not) and control
 * characters are refused or neutralized, so the result is always a path below the base path.
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
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return { ok: false, reason: 'malformed percent-encoding in path' };
    }
    if (decoded === '.' || decoded === '..' || decoded.includes('/') || decoded.includes('\\')) {
      return { ok: false, reason: 'dot segment or encoded slash in path' };
    }
    segments.push(raw);
  }
  const trailing = capturedPath.length > 1 && capturedPath.endsWith('/') ? '/' : '';
  const base = basePath.replace(/\/+$/, '');
  const path = `${base}/${segments.join('/')}${segments.length > 0 ? trailing : ''}`;
  const q = query.startsWith('?') ? query.slice(1) : query;
  return { ok: true, pathAndQuery: q ? `${path}?${q}` : path };
}
