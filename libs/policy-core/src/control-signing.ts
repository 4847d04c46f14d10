import {
  type ControlAction,
  type ControlRequest,
  type OperatorKeys,
  type OperatorSigner,
  type Policy,
  canonicalJson,
  sha256Hex,
  signMessage,
  verifyMessage,
} from '@penumbra/contracts';

/** Which roles may ask for each action; `approve` is further limited by the stage's own roles. */
export const DEFAULT_PERMISSIONS: Record<ControlAction, string[]> = {
  promote: ['operator', 'admin'],
  rollback: ['operator', 'admin', 'oncall'],
  pause: ['operator', 'admin', 'oncall'],
  resume: ['operator', 'admin'],
  kill: ['operator', 'admin', 'oncall'],
  approve: ['operator', 'admin', 'approver'],
};

/** Signs with the operator's Ed25519 key, as the operator the key belongs to. */
export function signControlRequest(request: Omit<ControlRequest, 'signature'>, signer: OperatorSigner): ControlRequest {
  return signMessage({ ...request, actor: signer.operator }, signer);
}

export type Authorization = { ok: true; operator: string; roles: string[] } | { ok: false; reason: string };

/**
 * Checks a control request: signed, by a trusted operator key, by the key's own operator, fresh,
 * and asked in a role that may take the action.
 */
export function authorizeControlRequest(request: ControlRequest, keys: OperatorKeys, now: number, maxSkewMs = 5 * 60_000): Authorization {
  const sig = request.signature;
  if (sig === undefined) return { ok: false, reason: 'unsigned request: sign it with an operator key (penumbra reads PENUMBRA_OPERATOR_KEY_FILE)' };
  const key = keys.keys.get(sig.keyId);
  if (key === undefined) return { ok: false, reason: `unknown operator key "${sig.keyId}"` };
  const verified = verifyMessage(request, new Map([[key.keyId, key.publicKey]]));
  if (!verified.ok) return { ok: false, reason: verified.reason.replace('the message was altered', 'the request was altered') };
  if (request.actor !== key.operator) return { ok: false, reason: `key "${sig.keyId}" belongs to ${key.operator}, not ${request.actor}` };
  if (Math.abs(now - request.ts) > maxSkewMs) return { ok: false, reason: `request time is ${Math.round((now - request.ts) / 1000)} s away from now: stale or replayed` };
  if (request.role !== undefined && !key.roles.includes(request.role)) return { ok: false, reason: `key "${sig.keyId}" does not hold role ${request.role}` };
  const allowed = keys.permissions[request.action] ?? DEFAULT_PERMISSIONS[request.action];
  const roles = request.role === undefined ? [...key.roles] : [request.role];
  if (!roles.some((r) => allowed.includes(r)))
    return { ok: false, reason: `${key.operator} (roles ${roles.join(', ')}) may not ${request.action}: it needs one of ${allowed.join(', ')}` };
  return { ok: true, operator: key.operator, roles };
}

/** The policy's identity in every command's evidence. */
export function policyHash(policy: Policy): string {
  return sha256Hex(canonicalJson(policy));
}
