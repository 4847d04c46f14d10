import { sign, verify } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { SAFE_METHODS, epochMs, eventId, experimentId } from './common';
import { signatureSchema } from './control';
import { type ExperimentRecord } from './experiment-record';
import { type OperatorKeys, type OperatorSigner } from './operator-keys';
import { signMessage, verifyMessage } from './signing';

/** Headers that carry a caller's credentials: forwarding them to a candidate needs `forward-credentials`. */
export const CREDENTIAL_FORWARD_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'set-cookie', 'x-api-key', 'x-auth-token'] as const;

/** Headers that make a server treat a request as another method or path: forwarding them undoes the safe-methods rule. */
const METHOD_OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'];

/** Which roles hold each experiment permission unless the operator keys file says otherwise. */
export const DEFAULT_EXPERIMENT_PERMISSIONS = {
  experiments: ['operator', 'admin'],
  'forward-credentials': ['admin'],
  'unsafe-methods': ['admin'],
} as const satisfies Record<string, readonly string[]>;
export type ExperimentPermission = keyof typeof DEFAULT_EXPERIMENT_PERMISSIONS;

export type ExperimentVerdict = { ok: true; operator: string; keyId: string } | { ok: false; reason: string };

/**
 * What the operator signs: the record without its signature and without `halted`, which the
 * sentinel adds to the operator's record on a kill and which can only stop work, never start it.
 */
function payload(record: ExperimentRecord): Buffer {
  const { signature, halted, ...rest } = record;
  void signature;
  void halted;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

export function signExperimentRecord(record: Omit<ExperimentRecord, 'signature'>, signer: OperatorSigner): ExperimentRecord {
  const unsigned: ExperimentRecord = { ...record, actor: signer.operator };
  const value = sign(null, payload(unsigned), signer.privateKey).toString('base64');
  return { ...unsigned, signature: { keyId: signer.keyId, alg: 'ed25519', value } };
}

/** The permissions a spec needs beyond `experiments`, each with why. */
export function permissionsNeeded(record: ExperimentRecord): Array<{ permission: ExperimentPermission; why: string }> {
  const shadow = record.spec.shadow;
  const needed: Array<{ permission: ExperimentPermission; why: string }> = [];
  const credentials = shadow.headers.forward.filter((h) => (CREDENTIAL_FORWARD_HEADERS as readonly string[]).includes(h));
  if (credentials.length > 0) needed.push({ permission: 'forward-credentials', why: `it forwards ${credentials.join(', ')}` });
  const unsafe = shadow.allowedMethods.filter((m) => !SAFE_METHODS.includes(m));
  const overrides = shadow.headers.forward.filter((h) => METHOD_OVERRIDE_HEADERS.includes(h));
  if (unsafe.length > 0 || overrides.length > 0) needed.push({ permission: 'unsafe-methods', why: `it allows ${[...unsafe, ...overrides].join(', ')}` });
  return needed;
}

/**
 * The one check every reader of the experiments topic makes before it uses a record: stored
 * under its own id, signed by a trusted operator key, by the key's own operator, who holds a role
 * with `experiments` and with every further permission the spec needs. Never throws.
 */
export function verifyExperimentRecord(record: ExperimentRecord, kafkaKey: string, keys: OperatorKeys | undefined): ExperimentVerdict {
  if (kafkaKey !== record.experimentId) return { ok: false, reason: `stored under key ${JSON.stringify(kafkaKey.slice(0, 200))}, not its experimentId ${record.experimentId}` };
  if (record.signature === undefined)
    return { ok: false, reason: 'unsigned experiment record: apply it with penumbra experiment apply and an operator key (PENUMBRA_OPERATOR_KEY_FILE)' };
  const sig = signatureSchema.safeParse(record.signature);
  if (!sig.success) return { ok: false, reason: 'malformed signature' };
  if (sig.data.alg !== 'ed25519') return { ok: false, reason: `signature algorithm ${sig.data.alg} is not accepted; expected ed25519` };
  if (keys === undefined) return { ok: false, reason: 'no operator keys are trusted here: set PENUMBRA_OPERATOR_KEYS_FILE' };
  const key = keys.keys.get(sig.data.keyId);
  if (key === undefined) return { ok: false, reason: `signed by unknown operator key "${sig.data.keyId}"` };
  let valid = false;
  try {
    valid = verify(null, payload(record), key.publicKey, Buffer.from(sig.data.value, 'base64'));
  } catch {
    return { ok: false, reason: `malformed signature for key "${key.keyId}"` };
  }
  if (!valid) return { ok: false, reason: `bad signature for key "${key.keyId}": the record was altered or signed with another key` };
  if (record.actor !== key.operator) return { ok: false, reason: `key "${key.keyId}" belongs to ${key.operator}, not ${record.actor}` };
  const needs = [{ permission: 'experiments' as const, why: 'it applies an experiment' }, ...permissionsNeeded(record)];
  for (const { permission, why } of needs) {
    const allowed = keys.permissions[permission] ?? DEFAULT_EXPERIMENT_PERMISSIONS[permission];
    if (!key.roles.some((r) => allowed.includes(r)))
      return { ok: false, reason: `${key.operator} (roles ${key.roles.join(', ')}) lacks ${permission}, which ${why}: it needs one of ${allowed.join(', ') || '(no role)'}` };
  }
  return { ok: true, operator: key.operator, keyId: key.keyId };
}

/** The header of a tombstone on the experiments topic that carries the operator's signed deletion (JSON). */
export const EXPERIMENT_DELETION_HEADER = 'penumbra-deletion';

/** A tombstone has no value to sign: the deletion is signed and sent in its header. */
export const experimentDeletionSchema = z.object({
  type: z.literal('experiment.deleted.v1'),
  id: eventId,
  ts: epochMs,
  experimentId,
  actor: z.string().min(1).max(200),
  signature: signatureSchema.optional(),
});
export type ExperimentDeletion = z.infer<typeof experimentDeletionSchema>;

export function signExperimentDeletion(deletion: Omit<ExperimentDeletion, 'signature' | 'actor' | 'type'>, signer: OperatorSigner): ExperimentDeletion {
  return signMessage({ type: 'experiment.deleted.v1' as const, ...deletion, actor: signer.operator }, signer);
}

/** Whether a tombstone's header holds a deletion of this key by an operator allowed to manage experiments. Never throws. */
export function verifyExperimentDeletion(header: string | undefined, kafkaKey: string, keys: OperatorKeys | undefined): ExperimentVerdict {
  if (header === undefined)
    return { ok: false, reason: `unsigned deletion: delete it with penumbra experiment delete and an operator key (no ${EXPERIMENT_DELETION_HEADER} header)` };
  let json: unknown;
  try {
    json = JSON.parse(header);
  } catch {
    return { ok: false, reason: `the ${EXPERIMENT_DELETION_HEADER} header is not JSON` };
  }
  const parsed = experimentDeletionSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `the ${EXPERIMENT_DELETION_HEADER} header is not a deletion` };
  const deletion = parsed.data;
  if (deletion.experimentId !== kafkaKey) return { ok: false, reason: `the deletion names ${deletion.experimentId}, not the key ${JSON.stringify(kafkaKey.slice(0, 200))}` };
  if (keys === undefined) return { ok: false, reason: 'no operator keys are trusted here: set PENUMBRA_OPERATOR_KEYS_FILE' };
  const key = deletion.signature === undefined ? undefined : keys.keys.get(deletion.signature.keyId);
  if (deletion.signature === undefined) return { ok: false, reason: 'unsigned deletion' };
  if (key === undefined) return { ok: false, reason: `deletion signed by unknown operator key "${deletion.signature.keyId}"` };
  const verified = verifyMessage(deletion, new Map([[key.keyId, key.publicKey]]));
  if (!verified.ok) return { ok: false, reason: verified.reason };
  if (deletion.actor !== key.operator) return { ok: false, reason: `key "${key.keyId}" belongs to ${key.operator}, not ${deletion.actor}` };
  const allowed = keys.permissions['experiments'] ?? DEFAULT_EXPERIMENT_PERMISSIONS.experiments;
  if (!key.roles.some((r) => allowed.includes(r)))
    return { ok: false, reason: `${key.operator} (roles ${key.roles.join(', ')}) lacks experiments: it needs one of ${allowed.join(', ')}` };
  return { ok: true, operator: key.operator, keyId: key.keyId };
}
