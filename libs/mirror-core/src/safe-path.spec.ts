import fc from 'fast-check';
import { safeReplayPath } from './safe-path';

describe('safeReplayPath', () => {
  it('keeps an ordinary path and query below the base path', () => {
    expect(safeReplayPath('/api/', '/orders/42', 'expand=items')).toEqual({ ok: true, pathAndQuery: '/api/orders/42?expand=items' });
    expect(safeReplayPath('', '/', '')).toEqual({ ok: true, pathAndQuery: '/' });
    expect(safeReplayPath('', '/a/b/', '?x')).toEqual({ ok: true, pathAndQuery: '/a/b/?x' });
  });

  it('folds repeated slashes, so "//host/x" stays a path on the base URL', () => {
    expect(safeReplayPath('', '//evil.example/x', '')).toEqual({ ok: true, pathAndQuery: '/evil.example/x' });
  });

  it.each([
    ['http://evil.example/x', 'origin-form'],
    ['evil.example:80/x', 'origin-form'],
    ['/a/../../etc/passwd', 'dot segment'],
    ['/a/%2e%2e/b', 'dot segment'],
    ['/a/%2E./b', 'dot segment'],
    ['/a%2f..%2fb', 'encoded slash'],
    ['/a/%5c..', 'dot segment'],
    ['/a\\..\\b', 'backslash'],
    ['/a b', 'control'],
    ['/a\r\nHost: evil', 'control'],
    ['/a/%zz', 'percent-encoding'],
    ['/a#frag', 'fragment'],
    ['/..;/admin', 'dot segment'],
    ['/a/..;jsessionid=1/b', 'dot segment'],
    ['/a/%252e%252e/b', 'dot segment'],
    ['/a/%25252e%25252e/b', 'dot segment'],
    ['/a/\uff0e\uff0e/b', 'dot segment'],
    ['/a/%EF%BC%8E%EF%BC%8E/b', 'dot segment'],
    ['/a/\u2025/b', 'dot segment'],
    ['/a/.%00/b', 'NUL'],
    ['/a/%2500/b', 'NUL'],
    ['/a/..%20/b', 'dot segment'],
    ['/a/%252f/b', 'encoded slash'],
    ['/a/\uff0f/b', 'encoded slash'],
    ['/a/\ud800', 'Unicode'],
  ])('refuses %s', (path, reason) => {
    const r = safeReplayPath('', path, '');
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(new RegExp(reason, 'i'));
  });

  it('percent-encodes non-ASCII in the path and query as UTF-8, so the request can be sent', () => {
    expect(safeReplayPath('/api', '/caf\u00e9/\u65e5\u672c', 'q=\u00fc#x')).toEqual({ ok: true, pathAndQuery: '/api/caf%C3%A9/%E6%97%A5%E6%9C%AC?q=%C3%BC%23x' });
    expect(safeReplayPath('', '/already%20encoded/a%2525b', '')).toEqual({ ok: true, pathAndQuery: '/already%20encoded/a%2525b' });
  });

  it('keeps ordinary dots and semicolons that do not climb', () => {
    expect(safeReplayPath('', '/a/file.json;v=1/.well-known/x..y', '')).toEqual({ ok: true, pathAndQuery: '/a/file.json;v=1/.well-known/x..y' });
  });

  it('never yields anything but a path below the base path, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 20 }), (path, query) => {
        const r = safeReplayPath('/base', path, query);
        if (!r.ok) return true;
        const target = r.pathAndQuery.split('?')[0] ?? '';
        const url = new URL(r.pathAndQuery, 'http://candidate.internal:8080');
        return url.host === 'candidate.internal:8080' && target.startsWith('/base') && !target.split('/').some((s) => s === '..' || s === '.') && url.pathname.startsWith('/base');
      }),
      { numRuns: 2000 },
    );
  });

  /** Resolves a target the way a lenient server does: decode until stable, NFKC, strip ";" parameters, then resolve dot segments. */
  function lenientResolve(pathAndQuery: string): string[] {
    const out: string[] = [];
    for (const raw of (pathAndQuery.split('?')[0] ?? '').split('/')) {
      let s = raw;
      for (let i = 0; i < 10; i++) {
        try {
          const next = decodeURIComponent(s).normalize('NFKC');
          if (next === s) break;
          s = next;
        } catch {
          break;
        }
      }
      for (const part of s.split(/[\\/]/)) {
        // NUL cut, trailing spaces trimmed and a name of dots read as a dot segment, as IIS and some proxies do.
        const bare = (part.split(';')[0] ?? '').split(String.fromCharCode(0)).join('').trimEnd();
        if (/^[.\s]+$/.test(bare) && bare.split('.').length > 2) out.pop();
        else if (!/^[.\s]*$/.test(bare)) out.push(bare);
      }
    }
    return out;
  }

  const hostileFragment = fc.constantFrom(
    '/',
    '.',
    '..',
    '%2e',
    '%2E',
    '%252e',
    '%25252e',
    '\uff0e',
    '%EF%BC%8E',
    '\u2024',
    '\u2025',
    ';',
    ';x=1',
    '%3b',
    '%00',
    '%2500',
    '%2f',
    '%252f',
    '\uff0f',
    '%5c',
    'a',
    'b',
    '%',
    '%25',
    ' ',
    '\u00e9',
    '\u65e5',
  );
  const hostilePath = fc.array(hostileFragment, { maxLength: 12 }).map((parts) => `/${parts.join('')}`);

  it('accepts no path that a lenient server would resolve outside the base path', () => {
    fc.assert(
      fc.property(hostilePath, (path) => {
        const r = safeReplayPath('/base', path, '');
        if (!r.ok) return true;
        const resolved = lenientResolve(r.pathAndQuery);
        return resolved[0] === 'base' && /^[\u0021-\u007e]+$/.test(r.pathAndQuery) && new URL(r.pathAndQuery, 'http://c.internal').pathname.startsWith('/base');
      }),
      { numRuns: 5000 },
    );
  });
});
