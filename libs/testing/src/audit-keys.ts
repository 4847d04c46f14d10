import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TrustedKeys, generateSigningKeyFiles, trustedKeysFromJson } from '@penumbra/contracts';

export interface TestAuditKeys {
  /** The environment an audit-sink needs to sign its checkpoints. */
  env: { AUDIT_SIGNING_KEY_FILE: string };
  trusted: TrustedKeys;
  /** What `penumbra audit verify` reads (PENUMBRA_AUDIT_KEYS_FILE). */
  trustedKeysFile: string;
}

/** A fresh audit checkpoint key pair in a temporary folder, as a deployment would hold it. */
export function testAuditKeys(keyId = 'audit-test'): TestAuditKeys {
  const dir = mkdtempSync(join(tmpdir(), 'penumbra-audit-keys-'));
  const files = generateSigningKeyFiles(keyId);
  const signingKeyFile = join(dir, 'audit-signing-key.json');
  const trustedKeysFile = join(dir, 'audit-keys.json');
  writeFileSync(signingKeyFile, JSON.stringify(files.signingKey), { mode: 0o600 });
  writeFileSync(trustedKeysFile, JSON.stringify(files.trustedKeys));
  return { env: { AUDIT_SIGNING_KEY_FILE: signingKeyFile }, trusted: trustedKeysFromJson(files.trustedKeys), trustedKeysFile };
}
