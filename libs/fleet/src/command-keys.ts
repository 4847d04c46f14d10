import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyFiles } from '@penumbra/contracts';

export interface CommandKeyFiles {
  /** The sentinel's private key: only the sentinel reads it. */
  signingKeyFile: string;
  /** The public keys every follower, actuator and the audit trust. */
  trustedKeysFile: string;
}

/**
 * The command signing key pair in `dir` (command-signing-key.json, command-keys.json), made once
 * when absent, the private key readable by its owner only.
 */
export function ensureCommandKeyFiles(dir: string, keyId = 'sentinel-local'): CommandKeyFiles {
  mkdirSync(dir, { recursive: true });
  const signingKeyFile = join(dir, 'command-signing-key.json');
  const trustedKeysFile = join(dir, 'command-keys.json');
  if (!existsSync(signingKeyFile) || !existsSync(trustedKeysFile)) {
    const files = generateSigningKeyFiles(keyId);
    writeFileSync(signingKeyFile, JSON.stringify(files.signingKey, null, 2) + '\n', { mode: 0o600 });
    writeFileSync(trustedKeysFile, JSON.stringify(files.trustedKeys, null, 2) + '\n');
  }
  return { signingKeyFile, trustedKeysFile };
}
