import { readFileSync } from 'node:fs';
import { formatIssues } from '@penumbra/contracts';
import { ConfigError } from '@penumbra/errors';
import { type OperatorKeysFile, operatorKeysFileSchema } from '@penumbra/policy-core';
import { parse as parseYaml } from 'yaml';

/** Operator keys from a YAML or JSON file; a bad file stops the start naming what is wrong. */
export function loadOperatorKeys(path: string | undefined): OperatorKeysFile | undefined {
  if (path === undefined) return undefined;
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`SENTINEL_OPERATOR_KEYS_FILE: cannot read ${path}: ${(err as Error).message}`, { path });
  }
  const parsed = operatorKeysFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`SENTINEL_OPERATOR_KEYS_FILE: ${path} is not a valid keys file:\n${formatIssues(parsed.error)}`, { path });
  return parsed.data;
}
