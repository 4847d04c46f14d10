import { type ControlRequest, generateOperatorKeyFiles, operatorKeysFromJson, operatorSignerFromJson } from '@penumbra/contracts';
import { authorizeControlRequest, signControlRequest } from './control-signing';

const ana = generateOperatorKeyFiles('ana-1', 'ana', ['operator']);
const bo = generateOperatorKeyFiles('bo-1', 'bo', ['viewer']);
const keys = operatorKeysFromJson({ keys: [...ana.publicKeys.keys, ...bo.publicKeys.keys] });
const anaKey = operatorSignerFromJson(ana.signingKey);
const boKey = operatorSignerFromJson(bo.signingKey);
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
    expect(authorizeControlRequest(signControlRequest(request(), anaKey), keys, now)).toEqual({ ok: true, operator: 'ana', roles: ['operator'] });
  });

  it('rejects unsigned, altered, foreign, unknown-key, stale and unauthorized requests, saying why', () => {
    const signed = signControlRequest(request(), anaKey);
    const stranger = operatorSignerFromJson(generateOperatorKeyFiles('nobody', 'ana', ['admin']).signingKey);
    const reasons = [
      authorizeControlRequest(request() as ControlRequest, keys, now),
      authorizeControlRequest({ ...signed, action: 'kill' }, keys, now),
      authorizeControlRequest({ ...signed, actor: 'bo' }, keys, now),
      authorizeControlRequest(signControlRequest(request(), stranger), keys, now),
      authorizeControlRequest(signed, keys, now + 10 * 60_000),
      authorizeControlRequest(signControlRequest(request(), boKey), keys, now),
      authorizeControlRequest(signControlRequest(request({ role: 'admin' }), anaKey), keys, now),
      authorizeControlRequest({ ...signed, signature: { keyId: 'ana-1', alg: 'hmac-sha256', value: 'eA==' } }, keys, now),
    ].map((r) => (r.ok ? 'ok' : r.reason));
    expect(reasons).toEqual([
      expect.stringMatching(/^unsigned request/),
      expect.stringMatching(/^bad signature for key "ana-1"/),
      expect.stringMatching(/^bad signature for key "ana-1"/),
      'unknown operator key "nobody"',
      expect.stringMatching(/stale or replayed/),
      'bo (roles viewer) may not rollback: it needs one of operator, admin, oncall',
      'key "ana-1" does not hold role admin',
      expect.stringMatching(/hmac-sha256 is not accepted/),
    ]);
  });

  it('signs as the operator the key belongs to, whatever actor the request named', () => {
    expect(signControlRequest(request({ actor: 'someone' }), boKey).actor).toBe('bo');
  });
});
