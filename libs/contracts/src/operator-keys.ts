import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { z } from 'zod';
import { type SigningKey } from './signing';
import { InvalidInputError } from '@penumbra/errors';

/**
 * Operators' Ed25519 keys. The private key stays with its operator (PENUMBRA_OPERATOR_KEY_FILE,
 * read by the CLI); the public keys, each with its operator's name and roles, go to every service
 * (PENUMBRA_OPERATOR_KEYS_FILE). Services can then check who asked for a control request or an
 * experiment without holding anything that could forge one. Several keys are trusted at once, each
 * named by its key id, so a key is rotated by adding the new one, switching, then removing the old.
 */
export const operatorSigningKeyFileSchema = z.object({
  keyId: z.string().min(1).max(200),
  operator: z.string().min(1).max(200),
  /** PKCS#8 PEM of an Ed25519 private key. */
  privateKey: z.string().min(1).max(10_000),
});
export type OperatorSigningKeyFile = z.infer<typeof operatorSigningKeyFileSchema>;

export const operatorPublicKeySchema = z.object({
  keyId: z.string().min(1).max(200),
  operator: z.string().min(1).max(200),
  roles: z.array(z.string().min(1).max(100)).min(1, 'give the key at least one role'),
  /** SPKI PEM of an Ed25519 public key. */
  publicKey: z.string().min(1).max(10_000),
});

export const operatorKeysFileSchema = z.object({
  keys: z.array(operatorPublicKeySchema).min(1, 'list at least one key'),
  /** Permission (a control action, `experiments`, `forward-credentials`, `unsafe-methods`) → the roles that hold it; unset ones keep their defaults. */
  permissions: z.record(z.string(), z.array(z.string())).optional(),
});
export type OperatorKeysFile = z.infer<typeof operatorKeysFileSchema>;

export interface OperatorKey {
  keyId: string;
  operator: string;
  roles: readonly string[];
  publicKey: KeyObject;
}

/** The trusted operator keys by key id, with the permissions that override the defaults. */
export interface OperatorKeys {
  keys: ReadonlyMap<string, OperatorKey>;
  permissions: Readonly<Record<string, readonly string[]>>;
}

/** The operator's own key, with the name it signs as. */
export interface OperatorSigner extends SigningKey {
  operator: string;
}

export function operatorKeysFromJson(json: unknown): OperatorKeys {
  const parsed = operatorKeysFileSchema.parse(json);
  const keys = new Map<string, OperatorKey>();
  for (const k of parsed.keys) {
    if (keys.has(k.keyId)) throw new InvalidInputError(`operator key ${k.keyId} is listed twice`, 'KEY_DUPLICATE', { keyId: k.keyId });
    const publicKey = createPublicKey(k.publicKey);
    if (publicKey.asymmetricKeyType !== 'ed25519')
      throw new InvalidInputError(`operator key ${k.keyId} is ${publicKey.asymmetricKeyType}, not ed25519`, 'KEY_NOT_ED25519', { keyId: k.keyId });
    keys.set(k.keyId, { keyId: k.keyId, operator: k.operator, roles: k.roles, publicKey });
  }
  return { keys, permissions: parsed.permissions ?? {} };
}

export function operatorSignerFromJson(json: unknown): OperatorSigner {
  const parsed = operatorSigningKeyFileSchema.parse(json);
  const privateKey = createPrivateKey(parsed.privateKey);
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new InvalidInputError(`operator key ${parsed.keyId} is ${privateKey.asymmetricKeyType}, not ed25519`, 'KEY_NOT_ED25519', { keyId: parsed.keyId });
  return { keyId: parsed.keyId, operator: parsed.operator, privateKey };
}

/** A new operator key pair: the operator's private key file and a public keys file listing it. */
export function generateOperatorKeyFiles(
  keyId: string,
  operator: string,
  roles: string[],
): { signingKey: OperatorSigningKeyFile; publicKeys: { keys: Array<z.infer<typeof operatorPublicKeySchema>> } } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    signingKey: { keyId, operator, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    publicKeys: { keys: [{ keyId, operator, roles, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }] },
  };
}
