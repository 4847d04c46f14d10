import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type ControlRequest, formatIssues } from '@penumbra/contracts';
import { ConfigError } from '@penumbra/errors';
import { signControlRequest } from '@penumbra/policy-core';

// The one place the console loads operator keys and signs with them, as `penumbra <action>` does.
const keySchema = z.object({ keyId: z.string().min(1), secret: z.string().min(32), operator: z.string().min(1) });
const keyFileSchema = z.union([keySchema, z.object({ keys: z.array(keySchema).min(1) })]);
type OperatorKey = z.infer<typeof keySchema>;

export interface OperatorSigner {
  /** The operators this console can sign for. */
  readonly operators: readonly string[];
  /** Signs a request with the key of its actor; undefined when the console holds no key for that operator. */
  sign(request: Omit<ControlRequest, 'signature'>): ControlRequest | undefined;
}

/** The operator keys from PENUMBRA_OPERATOR_KEY_FILE (one key, or `{keys: [...]}`); a bad file fails the start. */
export function loadOperatorSigner(path: string): OperatorSigner {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`PENUMBRA_OPERATOR_KEY_FILE: cannot read ${path}: ${(err as Error).message}`);
  }
  const parsed = keyFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`PENUMBRA_OPERATOR_KEY_FILE: ${path} is not a key file:\n${formatIssues(parsed.error)}`);
  const keys: OperatorKey[] = 'keys' in parsed.data ? parsed.data.keys : [parsed.data];
  return {
    operators: keys.map((k) => k.operator),
    sign(request) {
      const key = keys.find((k) => k.operator === request.actor);
      return key === undefined ? undefined : signControlRequest(request, key);
    },
  };
}
