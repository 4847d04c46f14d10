import { type KeyObject, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type SigningKey, type TrustedKeys, signingKeyFromJson, trustedKeysFromJson } from '@penumbra/contracts';
import { ConfigError } from '@penumbra/errors';

function readJson(variable: string, path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw new ConfigError(`${variable}: cannot read ${path} as JSON: ${(err as Error).message}`, { path });
  }
}

/**
 * The sentinel's command signing key and the keys it trusts when it reads commands back (its own,
 * plus PENUMBRA_COMMAND_KEYS_FILE's during a rotation). No key, no start: an unsigned command
 * would be refused by every follower.
 */
export function loadCommandKeys(signingKeyFile: string | undefined, trustedKeysFile: string | undefined): { signer: SigningKey; trusted: TrustedKeys } {
  if (signingKeyFile === undefined)
    throw new ConfigError('SENTINEL_SIGNING_KEY_FILE is required: the sentinel signs every command (npx penumbra keys generate writes a key pair)', {});
  let signer: SigningKey;
  try {
    signer = signingKeyFromJson(readJson('SENTINEL_SIGNING_KEY_FILE', signingKeyFile));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`SENTINEL_SIGNING_KEY_FILE: ${signingKeyFile} holds no Ed25519 signing key: ${(err as Error).message}`, { path: signingKeyFile });
  }
  const trusted = new Map<string, KeyObject>([[signer.keyId, createPublicKey(signer.privateKey)]]);
  if (trustedKeysFile !== undefined) {
    try {
      for (const [id, key] of trustedKeysFromJson(readJson('PENUMBRA_COMMAND_KEYS_FILE', trustedKeysFile))) trusted.set(id, key);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(`PENUMBRA_COMMAND_KEYS_FILE: ${trustedKeysFile} is not a valid trusted keys file: ${(err as Error).message}`, { path: trustedKeysFile });
    }
  }
  return { signer, trusted };
}

/** The public keys of those who apply commands (SDK followers, actuators): only their signed acks clear deadlines. */
export function loadApplierKeys(file: string | undefined): TrustedKeys {
  if (file === undefined) return new Map();
  try {
    return trustedKeysFromJson(readJson('SENTINEL_APPLIER_KEYS_FILE', file));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`SENTINEL_APPLIER_KEYS_FILE: ${file} is not a valid trusted keys file: ${(err as Error).message}`, { path: file });
  }
}
