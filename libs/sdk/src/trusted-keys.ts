import { readFileSync } from 'node:fs';
import { type TrustedKeys, trustedKeysFromJson } from '@penumbra/contracts';

/** The sentinel's public keys from a JSON file (`{"keys": [{"keyId", "publicKey"}]}`), as `penumbra keys generate` writes it. */
export function loadTrustedKeys(path: string): TrustedKeys {
  try {
    return trustedKeysFromJson(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new Error(`cannot load the trusted command keys from ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
