import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type ControlRequest, formatIssues, operatorSignerFromJson, operatorSigningKeyFileSchema } from '@penumbra/contracts';
import { ConfigError } from '@penumbra/errors';
import { signControlRequest } from '@penumbra/policy-core';

// The one place the console loads operator keys and signs with them, as `penumbra <action>` does.
const keyFileSchema = z.union([operatorSigningKeyFileSchema, z.object({ keys: z.array(operatorSigningKeyFileSchema).min(1) })]);

export interface OperatorSigner {
  /** The operators this console can sign for. */
  readonly operators: readonly string[];
  /** Signs a request with the key of its actor; undefined when the console holds no key for that operator. */
  sign(request: Omit<ControlRequest, 'signature'>): ControlRequest | undefined;
}

/** The operators' Ed25519 keys from PENUMBRA_OPERATOR_KEY_FILE (one key, or `{keys: [...]}`); a bad file fails the start. */
export function loadOperatorSigner(path: string): OperatorSigner {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`PENUMBRA_OPERATOR_KEY_FILE: cannot read ${path}: ${(err as Error).message}`);
  }
  const parsed = keyFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`PENUMBRA_OPERATOR_KEY_FILE: ${path} is not an operator key file:\n${formatIssues(parsed.error)}`);
  const files = 'keys' in parsed.data ? parsed.data.keys : [parsed.data];
  let signers;
  try {
    signers = files.map((f) => operatorSignerFromJson(f));
  } catch (err) {
    throw new ConfigError(`PENUMBRA_OPERATOR_KEY_FILE: ${path} holds a key that is not an Ed25519 private key: ${(err as Error).message}`);
  }
  return {
    operators: signers.map((s) => s.operator),
    sign(request) {
      const signer = signers.find((s) => s.operator === request.actor);
      return signer === undefined ? undefined : signControlRequest(request, signer);
    },
  };
}
