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
  ])('refuses %s', (path, reason) => {
    const r = safeReplayPath('', path, '');
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(new RegExp(reason, 'i'));
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
});
