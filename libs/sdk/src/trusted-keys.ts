import { readFileSync } from 'node:fs';
import { type SigningKey, type TrustedKeys, signingKeyFromJson, trustedKeysFromJson } from '@penumbra/contracts';
import { InvalidInputError } from '@penumbra/errors';

/** The sentinel's public keys from a JSON file (`{"keys": [{"keyId", "publicKey"}]}`), as `penumbra keys generate` writes it. */
export function loadTrustedKeys(path: string): TrustedKeys {
  try {
    return trustedKeysFromJson(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new InvalidInputError(`cannot load the trusted command keys from ${path}: ${err instanceof Error ? err.message : String(err)}`, 'KEY_FILE_UNREADABLE', { path }, err);
  }
}

/** This process's own signing key (`{"keyId", "privateKey"}`), for the acknowledgements it sends. */
export function loadSigningKey(path: string): SigningKey {
  try {
    return signingKeyFromJson(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new InvalidInputError(`cannot load the signing key from ${path}: ${err instanceof Error ? err.message : String(err)}`, 'KEY_FILE_UNREADABLE', { path }, err);
  }
}
