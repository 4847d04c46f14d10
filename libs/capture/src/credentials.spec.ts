import { credentialProtector } from './credentials';

describe('credentialProtector', () => {
  const headers = {
    authorization: 'Bearer secret-1',
    cookie: 'sid=abc',
    'set-cookie': 'sid=abc; HttpOnly',
    'x-api-key': 'k-1',
    'x-auth-token': 't-1',
    'proxy-authorization': 'Basic eA==',
    accept: 'application/json',
  };

  it('hashes every credential header by default, keeping "same token" visible and the token not', () => {
    const protect = credentialProtector({ hashKey: 'k' });
    const out = protect(headers);
    expect(out['accept']).toBe('application/json');
    for (const name of ['authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token', 'proxy-authorization']) {
      expect(out[name]).toMatch(/^hmac-sha256:[0-9a-f]{32}$/);
      expect(JSON.stringify(out)).not.toContain(headers[name as keyof typeof headers]);
    }
    expect(protect({ authorization: 'Bearer secret-1' })['authorization']).toBe(out['authorization']);
    expect(protect({ authorization: 'Bearer secret-2' })['authorization']).not.toBe(out['authorization']);
  });

  it('drops them instead when asked, and takes its own list', () => {
    expect(credentialProtector({ mode: 'drop' })(headers)).toEqual({ accept: 'application/json' });
    expect(credentialProtector({ mode: 'drop', headers: ['accept'] })(headers)).not.toHaveProperty('accept');
  });
});
