import { createHmac, timingSafeEqual } from 'node:crypto';
import { type ControlAction, type ControlRequest, type Policy, canonicalJson, sha256Hex } from '@penumbra/contracts';
import { z } from 'zod';

export const operatorKeySchema = z.object({
  keyId: z.string().min(1).max(200),
  /** The shared HMAC secret; at least 32 characters. */
  secret: z.string().min(32, 'an operator key secret needs at least 32 characters'),
  operator: z.string().min(1).max(200),
  roles: z.array(z.string().min(1)).min(1, 'give the key at least one role'),
});
export type OperatorKey = z.infer<typeof operatorKeySchema>;

/** Which roles may ask for each action; `approve` is further limited by the stage's own roles. */
export const DEFAULT_PERMISSIONS: Record<ControlAction, string[]> = {
  promote: ['operator', 'admin'],
  rollback: ['operator', 'admin', 'oncall'],
  pause: ['operator', 'admin', 'oncall'],
  resume: ['operator', 'admin'],
  kill: ['operator', 'admin', 'oncall'],
  approve: ['operator', 'admin', 'approver'],
};

export const operatorKeysFileSchema = z.object({
  keys: z.array(operatorKeySchema).min(1, 'list at least one key'),
  permissions: z.record(z.string(), z.array(z.string())).optional(),
});
export type OperatorKeysFile = z.infer<typeof operatorKeysFileSchema>;

/** What is signed: the canonical JSON of the request without its signature. */
export function signingPayload(request: Omit<ControlRequest, 'signature'> & { signature?: unknown }): string {
  const { signature, ...rest } = request;
  void signature;
  return canonicalJson(rest);
}

export function signControlRequest(request: Omit<ControlRequest, 'signature'>, key: Pick<OperatorKey, 'keyId' | 'secret'>): ControlRequest {
  const value = createHmac('sha256', key.secret).update(signingPayload(request)).digest('base64');
  return { ...request, signature: { keyId: key.keyId, alg: 'hmac-sha256', value } };
}

export type Authorization = { ok: true; operator: string; roles: string[] } | { ok: false; reason: string };

/**
 * Checks a control request: signed, by a known key, with a valid HMAC, by the key's own operator,
 * fresh, and asked in a role that may take the action.
 */
export function authorizeControlRequest(request: ControlRequest, keys: OperatorKeysFile, now: number, maxSkewMs = 5 * 60_000): Authorization {
  const sig = request.signature;
  if (sig === undefined) return { ok: false, reason: 'unsigned request: sign it with an operator key (penumbra reads PENUMBRA_OPERATOR_KEY)' };
  if (sig.alg !== 'hmac-sha256') return { ok: false, reason: `signature algorithm ${sig.alg} is not accepted here; use hmac-sha256` };
  const key = keys.keys.find((k) => k.keyId === sig.keyId);
  if (key === undefined) return { ok: false, reason: `unknown operator key "${sig.keyId}"` };
  const expected = createHmac('sha256', key.secret).update(signingPayload(request)).digest();
  const given = Buffer.from(sig.value, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: `bad signature for key "${sig.keyId}": the request was altered or signed with another secret` };
  if (request.actor !== key.operator) return { ok: false, reason: `key "${sig.keyId}" belongs to ${key.operator}, not ${request.actor}` };
  if (Math.abs(now - request.ts) > maxSkewMs) return { ok: false, reason: `request time is ${Math.round((now - request.ts) / 1000)} s away from now: stale or replayed` };
  if (request.role !== undefined && !key.roles.includes(request.role)) return { ok: false, reason: `key "${sig.keyId}" does not hold role ${request.role}` };
  const allowed = keys.permissions?.[request.action] ?? DEFAULT_PERMISSIONS[request.action];
  const roles = request.role === undefined ? key.roles : [request.role];
  if (!roles.some((r) => allowed.includes(r)))
    return { ok: false, reason: `${key.operator} (roles ${roles.join(', ')}) may not ${request.action}: it needs one of ${allowed.join(', ')}` };
  return { ok: true, operator: key.operator, roles };
}

/** The policy's identity in every command's evidence. */
export function policyHash(policy: Policy): string {
  return sha256Hex(canonicalJson(policy));
}
