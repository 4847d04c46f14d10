import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOperatorKeyFiles } from '@penumbra/contracts';

export interface OperatorKeyFiles {
  /** The operator's private key (PENUMBRA_OPERATOR_KEY_FILE): only the operator's CLI reads it. */
  signingKeyFile: string;
  /** The operators' public keys with their roles (PENUMBRA_OPERATOR_KEYS_FILE): every service. */
  keysFile: string;
}

/**
 * An operator key pair in `dir` (operator-key.json, operator-keys.json), made once when absent,
 * the private key readable by its owner only.
 */
export function ensureOperatorKeyFiles(dir: string, operator: string, roles: string[], keyId = `${operator}-local`): OperatorKeyFiles {
  mkdirSync(dir, { recursive: true });
  const signingKeyFile = join(dir, 'operator-key.json');
  const keysFile = join(dir, 'operator-keys.json');
  if (!existsSync(signingKeyFile) || !existsSync(keysFile)) {
    const files = generateOperatorKeyFiles(keyId, operator, roles);
    writeFileSync(signingKeyFile, JSON.stringify(files.signingKey, null, 2) + '\n', { mode: 0o600 });
    writeFileSync(keysFile, JSON.stringify(files.publicKeys, null, 2) + '\n');
  }
  return { signingKeyFile, keysFile };
}
