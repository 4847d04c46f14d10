import fc from 'fast-check';
import { DEFAULT_CREDENTIAL_HEADERS, TEXT_PATTERNS, credentialPolicy } from './credential-policy';

const HASH = /^hmac-sha256:[0-9a-f]{32}$/;

describe('credentialPolicy', () => {
  const policy = credentialPolicy({ hashKey: 'k' });

  it('hashes credential headers whatever their casing, keeps the others, and shows "same token" as the same hash', () => {
    const out = policy.headers({ Authorization: 'Bearer one', 'SET-COOKIE': 'sid=abc; HttpOnly', 'x-api-key': 'k-1', accept: 'application/json' });
    expect(out['Authorization']).toMatch(HASH);
    expect(out['SET-COOKIE']).toMatch(HASH);
    expect(out['x-api-key']).toMatch(HASH);
    expect(out['accept']).toBe('application/json');
    expect(policy.headers({ authorization: 'Bearer one' })['authorization']).toBe(out['Authorization']);
    expect(policy.headers({ authorization: 'Bearer two' })['authorization']).not.toBe(out['Authorization']);
    expect(credentialPolicy({ hashKey: 'other' }).hash('Bearer one')).not.toBe(out['Authorization']);
  });

  it('is idempotent: a value already hashed (by the capture tee) is kept as it is', () => {
    const once = policy.hash('Bearer one');
    expect(policy.hash(once)).toBe(once);
    expect(policy.query(policy.query('access_token=abc'))).toBe(policy.query('access_token=abc'));
  });

  it('takes its own header list', () => {
    const own = credentialPolicy({ headers: [...DEFAULT_CREDENTIAL_HEADERS, 'x-tenant-secret'], hashKey: 'k' });
    expect(own.headers({ 'X-Tenant-Secret': 's3' })['X-Tenant-Secret']).toMatch(HASH);
    expect(policy.headers({ 'x-tenant-secret': 's3' })['x-tenant-secret']).toBe('s3');
  });

  it('hashes the values of secret-looking query parameters only', () => {
    const q = policy.query('?page=2&access_token=tok-1&API_KEY=k2&X-Amz-Signature=abcd&sort=asc&empty_token=&flag');
    expect(q).not.toContain('tok-1');
    expect(q).not.toContain('k2');
    expect(q).not.toContain('abcd');
    expect(q).toMatch(/^\?page=2&access_token=hmac-sha256:[0-9a-f]{32}&API_KEY=hmac-sha256:[0-9a-f]{32}&X-Amz-Signature=hmac-sha256:[0-9a-f]{32}&sort=asc&empty_token=&flag$/);
    expect(policy.query('monkey=1&keyboard=2')).toBe('monkey=1&keyboard=2');
  });

  it('scrubs free text: URL userinfo, query secrets and bearer tokens', () => {
    const t = policy.text('GET https://bob:hunter2@api.example/v1?token=t0k&x=1 with Bearer eyJabc.def and basic dXNlcjpwdw==');
    expect(t).toContain('https://[redacted]@api.example/v1?token=hmac-sha256:');
    expect(t).toContain('&x=1');
    for (const secret of ['hunter2', 't0k', 'eyJabc.def', 'dXNlcjpwdw==']) expect(t).not.toContain(secret);
    expect(policy.text('Basic authentication failed')).toBe('Basic authentication failed');
  });

  it('redacts JSON: credential-named members, headers.add values, query members and URLs in strings', () => {
    const spec = {
      shadow: { candidate: { baseUrl: 'http://svc:pw@cand.internal' }, headers: { add: { 'x-candidate': 'cand-secret' }, forward: ['authorization'] } },
      request: { path: '/a', query: 'session=s-1&q=ok', headers: { Cookie: ['c-1', 'c-2'] } },
      n: 3,
    };
    const out = JSON.stringify(policy.json(spec));
    for (const secret of ['pw@', 'cand-secret', 's-1', 'c-1', 'c-2']) expect(out).not.toContain(secret);
    expect(out).toContain('"forward":["authorization"]');
    expect(out).toContain('q=ok');
    expect(out).toContain('"n":3');
  });

  it('redacts JSON bytes, and says when the bytes are not JSON', () => {
    const out = policy.jsonBytes(Buffer.from('{"request":{"headers":{"authorization":"Bearer zz-secret"}}}'));
    expect(out?.toString()).not.toContain('zz-secret');
    expect(out?.toString()).toContain('hmac-sha256:');
    expect(policy.jsonBytes(Buffer.from('authorization: Bearer zz-secret'))).toBeUndefined();
  });

  it('replaces subtrees nested past its depth bound instead of recursing without end', () => {
    let deep: unknown = { authorization: 'deep-secret' };
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(JSON.stringify(policy.json(deep))).not.toContain('deep-secret');
  });

  // Secrets carry upper-case letters, which a lower-case hex hash never contains.
  const secret = fc.string({ minLength: 1, maxLength: 40 }).map((s) => `SECRET-${s}`);
  const casing = (name: string) =>
    fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((up) => [...name].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));

  it('never leaks a credential header value, whatever the name casing (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DEFAULT_CREDENTIAL_HEADERS).chain(casing),
        secret,
        fc.dictionary(fc.stringMatching(/^[a-z-]{1,12}$/), fc.string({ maxLength: 10 })),
        (name, value, others) => {
          const headers = { ...others, [name]: value };
          const out = policy.headers(headers);
          expect(out[name]).toMatch(HASH);
          expect(JSON.stringify(out)).not.toContain(value);
          expect(JSON.stringify(policy.json({ request: { headers } }))).not.toContain(value);
        },
      ),
    );
  });

  it('never leaks a secret query value, whatever the parameter casing (property)', () => {
    const value = fc.stringMatching(/^[A-Za-z0-9_.~-]{1,30}$/).map((s) => `SECRET${s}`);
    fc.assert(
      fc.property(fc.constantFrom('access_token', 'token', 'api_key', 'password', 'sig', 'session').chain(casing), value, (name, v) => {
        expect(policy.query(`a=1&${name}=${v}`)).not.toContain(v);
        expect(policy.text(`https://h/p?${name}=${v}#f`)).not.toContain(v);
      }),
    );
  });
});

describe('credentialPolicy on hostile text', () => {
  it('scrubs a megabyte of text with no separators, or full of them, in one pass', () => {
    const policy = credentialPolicy({ hashKey: 'k' });
    expect(policy.text('r'.repeat(1_000_000))).toHaveLength(1_000_000);
    expect(policy.text('a://'.repeat(100_000))).toHaveLength(400_000);
    expect(policy.text('?a&b;c'.repeat(100_000))).toHaveLength(600_000);
  });
});

describe('credentialPolicy.text skips only the patterns a text cannot match', () => {
  const fragment = fc.constantFrom(
    'https://',
    'u:p@',
    '@',
    '?',
    '&',
    ';',
    '\\u0026',
    '=',
    'token',
    'access_token=',
    'Bearer ',
    'basic ',
    'BASIC ',
    'abc',
    '12345678',
    ' ',
    '/',
    'x.y',
    '==',
  );
  const texts = fc.array(fc.oneof(fragment, fc.string({ maxLength: 6 })), { maxLength: 14 }).map((parts) => parts.join(''));

  it('never skips a text its pattern would match (property)', () => {
    fc.assert(
      fc.property(texts, (s) => {
        for (const { pattern, mayMatch } of Object.values(TEXT_PATTERNS)) {
          if (!mayMatch(s)) expect(s.match(pattern)).toBeNull();
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('still scrubs each kind of secret', () => {
    const policy = credentialPolicy({ hashKey: 'k' });
    expect(policy.text('see https://u:p@h.example/x')).toBe('see https://[redacted]@h.example/x');
    expect(policy.text('a?token=abc')).toMatch(/^a\?token=hmac-sha256:[0-9a-f]{32}$/);
    expect(policy.text('Authorization: Bearer abcdefgh12')).toMatch(/^Authorization: Bearer hmac-sha256:[0-9a-f]{32}$/);
  });
});
