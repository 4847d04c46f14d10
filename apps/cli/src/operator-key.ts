import { readFileSync } from 'node:fs';
import { type OperatorKeys, type OperatorSigner, operatorKeysFromJson, operatorSignerFromJson } from '@penumbra/contracts';
import { PenumbraError, describeError } from '@penumbra/errors';

function readJson(variable: string, path: string, code: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw new PenumbraError(`${variable}: cannot read ${path} as JSON: ${(err as Error).message}`, { code, retriable: false });
  }
}

/** The operator's Ed25519 key (PENUMBRA_OPERATOR_KEY_FILE), which signs control requests and experiments. */
export function operatorSigner(env: NodeJS.ProcessEnv = process.env): OperatorSigner {
  const path = env['PENUMBRA_OPERATOR_KEY_FILE'];
  if (path === undefined)
    throw new PenumbraError('control requests and experiments are signed: set PENUMBRA_OPERATOR_KEY_FILE to your operator key (penumbra keys generate-operator writes one)', {
      code: 'OPERATOR_KEY_MISSING',
      retriable: false,
    });
  const raw = readJson('PENUMBRA_OPERATOR_KEY_FILE', path, 'OPERATOR_KEY_INVALID');
  try {
    return operatorSignerFromJson(raw);
  } catch (err) {
    throw new PenumbraError(`PENUMBRA_OPERATOR_KEY_FILE: ${path} is not an operator key file (keyId, operator, privateKey): ${describeError(err)}`, {
      code: 'OPERATOR_KEY_INVALID',
      retriable: false,
    });
  }
}

/** The operators' public keys (PENUMBRA_OPERATOR_KEYS_FILE), to show whether each experiment verifies; undefined when unset. */
export function trustedOperatorKeys(path: string | undefined): OperatorKeys | undefined {
  if (path === undefined) return undefined;
  const raw = readJson('PENUMBRA_OPERATOR_KEYS_FILE', path, 'OPERATOR_KEYS_INVALID');
  try {
    return operatorKeysFromJson(raw);
  } catch (err) {
    throw new PenumbraError(`PENUMBRA_OPERATOR_KEYS_FILE: ${path} is not an operator keys file: ${describeError(err)}`, { code: 'OPERATOR_KEYS_INVALID', retriable: false });
  }
}
