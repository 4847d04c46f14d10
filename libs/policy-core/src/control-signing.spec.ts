import { type ControlRequest } from '@penumbra/contracts';
import { authorizeControlRequest, operatorKeysFileSchema, signControlRequest } from './control-signing';

const keys = operatorKeysFileSchema.parse({
  keys: [
    { keyId: 'ana-1', secret: 'a'.repeat(40), operator: 'ana', roles: ['operator'] },
    { keyId: 'bo-1', secret: 'b'.repeat(40), operator: 'bo', roles: ['viewer'] },
  ],
});
const now = 1_800_000_000_000;
const request = (over: Partial<ControlRequest> = {}): Omit<ControlRequest, 'signature'> => ({
  type: 'control.v1',
  id: 'r1',
  ts: now,
  experimentId: 'checkout',
  action: 'rollback',
  reason: 'errors',
  actor: 'ana',
  ...over,
});

describe('control request signing', () => {
  it('accepts a request signed by its operator with a role that may act', () => {
    expect(authorizeControlRequest(signControlRequest(request(), keys.keys[0]!), keys, now)).toEqual({ ok: true, operator: 'ana', roles: ['operator'] });
  });

  it('rejects unsigned, altered, foreign, unknown-key, stale and unauthorized requests, saying why', () => {
    const signed = signControlRequest(request(), keys.keys[0]!);
    const reasons = [
      authorizeControlRequest(request() as ControlRequest, keys, now),
      authorizeControlRequest({ ...signed, action: 'kill' }, keys, now),
      authorizeControlRequest(signControlRequest(request({ actor: 'bo' }), keys.keys[0]!), keys, now),
      authorizeControlRequest(signControlRequest(request(), { keyId: 'nobody', secret: 'x'.repeat(40) }), keys, now),
      authorizeControlRequest(signed, keys, now + 10 * 60_000),
      authorizeControlRequest(signControlRequest(request({ actor: 'bo' }), keys.keys[1]!), keys, now),
      authorizeControlRequest(signControlRequest(request({ role: 'admin' }), keys.keys[0]!), keys, now),
    ].map((r) => (r.ok ? 'ok' : r.reason));
    expect(reasons).toEqual([
      expect.stringMatching(/^unsigned request/),
      expect.stringMatching(/^bad signature for key "ana-1"/),
      'key "ana-1" belongs to ana, not bo',
      'unknown operator key "nobody"',
      expect.stringMatching(/stale or replayed/),
      'bo (roles viewer) may not rollback: it needs one of operator, admin, oncall',
      'key "ana-1" does not hold role admin',
    ]);
  });

  it('refuses short secrets when the keys file is read', () => {
    expect(operatorKeysFileSchema.safeParse({ keys: [{ keyId: 'k', secret: 'short', operator: 'x', roles: ['operator'] }] }).success).toBe(false);
  });
});
