import { DEFAULT_KAFKA_BROKERS, type Env, credentialEnvShape, envInt, envOptionalString, kafkaEnvShape, parseEnv, redisEnvShape, refineKafkaSecurity } from '@penumbra/config';
import { z } from 'zod';

/** The CLI talks to the local stack unless told otherwise. */
const cliEnvSchema = z
  .object({
    ...kafkaEnvShape,
    ...redisEnvShape,
    ...credentialEnvShape,
    /** Where a replay may send requests: the same list as the traffic-mirror's, so a replay obeys its destination rules. */
    MIRROR_ALLOWED_TARGETS: envOptionalString(),
    AGGREGATOR_WINDOW_MS: envInt(10_000, { min: 100, max: 3_600_000 }),
    AGGREGATOR_RETENTION_MS: envInt(7 * 24 * 3_600_000, { min: 60_000 }),
    AGGREGATOR_DEDUPE_MS: envInt(15 * 60_000, { min: 1_000 }),
    /** The audit-sink's public keys (JSON: keys[].keyId, publicKey PEM): what audit verify checks checkpoints against. */
    PENUMBRA_AUDIT_KEYS_FILE: envOptionalString(),
    /** Must equal the aggregator's: a rebuild admits new slices under the same cap. */
    AGGREGATOR_MAX_SLICES_PER_EXPERIMENT: envInt(100, { min: 1, max: 100_000 }),
    /** The operators' public keys: experiment list and get show whether each record verifies against them. */
    PENUMBRA_OPERATOR_KEYS_FILE: envOptionalString(),
  })
  .superRefine(refineKafkaSecurity);
export type CliEnv = z.infer<typeof cliEnvSchema>;

export function cliEnv(env: Env = process.env): CliEnv {
  return parseEnv(cliEnvSchema, { ...env, KAFKA_BROKERS: env['KAFKA_BROKERS'] ?? DEFAULT_KAFKA_BROKERS }, 'penumbra');
}
