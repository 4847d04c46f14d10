import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { type Signature, signatureSchema } from './control';
import { InvalidInputError } from '@penumbra/errors';

/**
 * Ed25519 signatures for the messages that steer the fleet (commands today). What is signed is
 * the canonical JSON of the message without its signature, so any field changed after signing, in
 * any order, breaks it. Several public keys may be trusted at once, each named by its key id, so a
 * key is rotated by adding the new one everywhere, switching the signer, then removing the old.
 */
export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
}

/** Trusted public keys by key id. */
export type TrustedKeys = ReadonlyMap<string, KeyObject>;

export const signingKeyFileSchema = z.object({
  keyId: z.string().min(1).max(200),
  /** PKCS#8 PEM of an Ed25519 private key. */
  privateKey: z.string().min(1).max(10_000),
});

export const trustedKeysFileSchema = z.object({
  keys: z
    .array(z.object({ keyId: z.string().min(1).max(200), /** SPKI PEM of an Ed25519 public key. */ publicKey: z.string().min(1).max(10_000) }))
    .min(1, 'list at least one public key'),
});

export type Verification = { ok: true; keyId: string } | { ok: false; reason: string };

function payload(message: { signature?: unknown }): Buffer {
  const { signature, ...rest } = message;
  void signature;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

export function signingKeyFromJson(json: unknown): SigningKey {
  const parsed = signingKeyFileSchema.parse(json);
  const privateKey = createPrivateKey(parsed.privateKey);
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new InvalidInputError(`signing key ${parsed.keyId} is ${privateKey.asymmetricKeyType}, not ed25519`, 'KEY_NOT_ED25519', { keyId: parsed.keyId });
  return { keyId: parsed.keyId, privateKey };
}

export function trustedKeysFromJson(json: unknown): TrustedKeys {
  const parsed = trustedKeysFileSchema.parse(json);
  const keys = new Map<string, KeyObject>();
  for (const k of parsed.keys) {
    const key = createPublicKey(k.publicKey);
    if (key.asymmetricKeyType !== 'ed25519') throw new InvalidInputError(`trusted key ${k.keyId} is ${key.asymmetricKeyType}, not ed25519`, 'KEY_NOT_ED25519', { keyId: k.keyId });
    keys.set(k.keyId, key);
  }
  return keys;
}

/** The message with its signature (any earlier signature replaced). */
export function signMessage<T extends object>(message: T, key: SigningKey): T & { signature: Signature } {
  const value = sign(null, payload(message as { signature?: unknown }), key.privateKey).toString('base64');
  return { ...message, signature: { keyId: key.keyId, alg: 'ed25519', value } };
}

/** Checks that a trusted key signed exactly this message. Never throws. */
export function verifyMessage(message: object, keys: TrustedKeys): Verification {
  const given = (message as { signature?: unknown }).signature;
  if (given === undefined) return { ok: false, reason: 'unsigned' };
  const parsed = signatureSchema.safeParse(given);
  if (!parsed.success) return { ok: false, reason: 'malformed signature' };
  const sig = parsed.data;
  if (sig.alg !== 'ed25519') return { ok: false, reason: `signature algorithm ${sig.alg} is not accepted; expected ed25519` };
  const key = keys.get(sig.keyId);
  if (key === undefined) return { ok: false, reason: `signed by unknown key "${sig.keyId}"` };
  try {
    if (verify(null, payload(message as { signature?: unknown }), key, Buffer.from(sig.value, 'base64'))) return { ok: true, keyId: sig.keyId };
  } catch {
    return { ok: false, reason: `malformed signature for key "${sig.keyId}"` };
  }
  return { ok: false, reason: `bad signature for key "${sig.keyId}": the message was altered or signed with another key` };
}

/** A new Ed25519 key pair as the JSON of a signing key file and of a trusted keys file. */
export function generateSigningKeyFiles(keyId: string): { signingKey: z.infer<typeof signingKeyFileSchema>; trustedKeys: z.infer<typeof trustedKeysFileSchema> } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    signingKey: { keyId, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    trustedKeys: { keys: [{ keyId, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }] },
  };
}
