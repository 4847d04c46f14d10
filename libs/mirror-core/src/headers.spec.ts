import { replayHeaders, unsendableHeader } from './headers';

const rules = { forward: [] as string[], drop: [] as string[], add: {} as Record<string, string> };

describe('replayHeaders', () => {
  const captured = {
    host: 'prod.internal',
    authorization: 'Bearer secret',
    cookie: 'sid=1',
    'proxy-authorization': 'Basic x',
    connection: 'keep-alive, x-hop',
    'x-hop': 'gone',
    'keep-alive': 'timeout=5',
    'transfer-encoding': 'chunked',
    'content-length': '12',
    upgrade: 'websocket',
    accept: 'application/json',
    'x-tenant': 'acme',
  };

  it('drops credentials, hop-by-hop headers and those Connection names, and marks the request', () => {
    expect(replayHeaders(captured, rules, 'exp-1')).toEqual({ accept: 'application/json', 'x-tenant': 'acme', 'x-shadow-request': 'exp-1' });
  });

  it('forwards a credential only when the experiment names it, and applies drops and additions', () => {
    const out = replayHeaders(captured, { forward: ['authorization'], drop: ['x-tenant'], add: { 'x-env': 'shadow' } }, 'e');
    expect(out).toEqual({ accept: 'application/json', authorization: 'Bearer secret', 'x-env': 'shadow', 'x-shadow-request': 'e' });
  });

  it('never forwards host or hop-by-hop headers even when listed', () => {
    const out = replayHeaders(captured, { forward: ['host', 'connection'], drop: [], add: {} }, 'e');
    expect(out['host']).toBeUndefined();
    expect(out['connection']).toBeUndefined();
  });

  it('drops method overrides, original URLs, forwarded hosts and API keys unless the experiment forwards them by name', () => {
    const hostile = {
      accept: 'application/json',
      'X-HTTP-Method-Override': 'DELETE',
      'x-method-override': 'PUT',
      'x-original-url': '/admin',
      'x-rewrite-url': '/admin',
      'x-forwarded-host': 'evil.example',
      forwarded: 'host=evil.example',
      'x-api-key': 'k-123',
      'x-auth-token': 't-456',
    };
    expect(replayHeaders(hostile, rules, 'e')).toEqual({ accept: 'application/json', 'x-shadow-request': 'e' });
    expect(replayHeaders(hostile, { ...rules, forward: ['x-forwarded-host'] }, 'e')).toEqual({
      accept: 'application/json',
      'x-forwarded-host': 'evil.example',
      'x-shadow-request': 'e',
    });
  });

  it.each(['x-http-method-override', 'x-http-method', 'x-method-override', 'x-original-url', 'x-rewrite-url', 'x-forwarded-host', 'x-forwarded-server', 'proxy-authorization'])(
    'drops %s in any casing unless forwarded by name',
    (name) => {
      const shouting = { [name.toUpperCase()]: 'v', accept: '*/*' };
      expect(replayHeaders(shouting, rules, 'e')).toEqual({ accept: '*/*', 'x-shadow-request': 'e' });
      expect(replayHeaders(shouting, { ...rules, forward: [name] }, 'e')[name]).toBe('v');
    },
  );
});

describe('unsendableHeader', () => {
  it('names a header whose value has CR, LF, NUL or a character beyond Latin-1', () => {
    expect(unsendableHeader({ a: 'fine\tvalue é' })).toBeUndefined();
    expect(unsendableHeader({ a: 'ok', b: 'x\r\ny: 1' })).toBe('b');
    expect(unsendableHeader({ c: 'nul\u0000' })).toBe('c');
    expect(unsendableHeader({ d: '\u65e5' })).toBe('d');
  });
});
