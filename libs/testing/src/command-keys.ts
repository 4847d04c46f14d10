import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SigningKey, type TrustedKeys, generateSigningKeyFiles, signingKeyFromJson, trustedKeysFromJson } from '@penumbra/contracts';

export interface TestCommandKeys {
  /** The environment a sentinel needs to sign its commands. */
  env: { SENTINEL_SIGNING_KEY_FILE: string; PENUMBRA_COMMAND_KEYS_FILE: string };
  trusted: TrustedKeys;
  trustedKeysFile: string;
  signer: SigningKey;
}

/** A fresh command signing key pair in a temporary folder, as a deployment would hold it. */
export function testCommandKeys(keyId = 'sentinel-test'): TestCommandKeys {
  const dir = mkdtempSync(join(tmpdir(), 'penumbra-command-keys-'));
  const files = generateSigningKeyFiles(keyId);
  const signingKeyFile = join(dir, 'command-signing-key.json');
  const trustedKeysFile = join(dir, 'command-keys.json');
  writeFileSync(signingKeyFile, JSON.stringify(files.signingKey), { mode: 0o600 });
  writeFileSync(trustedKeysFile, JSON.stringify(files.trustedKeys));
  return {
    env: { SENTINEL_SIGNING_KEY_FILE: signingKeyFile, PENUMBRA_COMMAND_KEYS_FILE: trustedKeysFile },
    trusted: trustedKeysFromJson(files.trustedKeys),
    trustedKeysFile,
    signer: signingKeyFromJson(files.signingKey),
  };
}
