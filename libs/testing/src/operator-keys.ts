import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OperatorKeys, type OperatorSigner, generateOperatorKeyFiles, operatorKeysFromJson, operatorSignerFromJson } from '@penumbra/contracts';

export interface TestOperatorKey {
  signer: OperatorSigner;
  /** The operator's private key file, as PENUMBRA_OPERATOR_KEY_FILE. */
  signingKeyFile: string;
}

export interface TestOperatorKeys {
  /** What every service needs to verify experiments and control requests. */
  env: { PENUMBRA_OPERATOR_KEYS_FILE: string };
  keysFile: string;
  keys: OperatorKeys;
  /** An operator who holds every role. */
  admin: TestOperatorKey;
  /** Each further operator by name. */
  operators: Record<string, TestOperatorKey>;
}

/**
 * Operator key pairs in a temporary folder, as a deployment would hold them, all listed in one
 * public keys file: an `admin` who holds every role, so that a test that forwards credentials or
 * mirrors writes is signed by someone allowed to, and the operators given (name → roles).
 */
export function testOperatorKeys(operators: Record<string, string[]> = {}): TestOperatorKeys {
  const dir = mkdtempSync(join(tmpdir(), 'penumbra-operator-keys-'));
  const publicKeys: unknown[] = [];
  const make = (operator: string, roles: string[]): TestOperatorKey => {
    const files = generateOperatorKeyFiles(`${operator}-test`, operator, roles);
    const signingKeyFile = join(dir, `${operator}-key.json`);
    writeFileSync(signingKeyFile, JSON.stringify(files.signingKey), { mode: 0o600 });
    publicKeys.push(...files.publicKeys.keys);
    return { signer: operatorSignerFromJson(files.signingKey), signingKeyFile };
  };
  const admin = make('admin', ['admin', 'operator', 'approver']);
  const byName = Object.fromEntries(Object.entries(operators).map(([operator, roles]) => [operator, make(operator, roles)]));
  const keysFile = join(dir, 'operator-keys.json');
  writeFileSync(keysFile, JSON.stringify({ keys: publicKeys }));
  return { env: { PENUMBRA_OPERATOR_KEYS_FILE: keysFile }, keysFile, keys: operatorKeysFromJson({ keys: publicKeys }), admin, operators: byName };
}
