import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyFiles } from '@penumbra/contracts';

export interface AuditKeyFiles {
  /** The audit-sink's private key (AUDIT_SIGNING_KEY_FILE): only the audit-sink reads it. */
  signingKeyFile: string;
  /** Its public keys (PENUMBRA_AUDIT_KEYS_FILE): whoever verifies the audit. */
  trustedKeysFile: string;
}

/**
 * The audit checkpoint signing key pair in `dir` (audit-signing-key.json, audit-keys.json), made
 * once when absent, the private key readable by its owner only.
 */
export function ensureAuditKeyFiles(dir: string, keyId = 'audit-local'): AuditKeyFiles {
  mkdirSync(dir, { recursive: true });
  const signingKeyFile = join(dir, 'audit-signing-key.json');
  const trustedKeysFile = join(dir, 'audit-keys.json');
  if (!existsSync(signingKeyFile) || !existsSync(trustedKeysFile)) {
    const files = generateSigningKeyFiles(keyId);
    writeFileSync(signingKeyFile, JSON.stringify(files.signingKey, null, 2) + '\n', { mode: 0o600 });
    writeFileSync(trustedKeysFile, JSON.stringify(files.trustedKeys, null, 2) + '\n');
  }
  return { signingKeyFile, trustedKeysFile };
}
