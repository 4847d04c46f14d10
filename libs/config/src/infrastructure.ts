import { DEFAULT_TOPIC_PREFIX } from '@penumbra/contracts';
import { z } from 'zod';
import { envBool, envEnum, envInt, envList, envOptionalString, envString } from './env';

const HOST_PORT = /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/;
const MAX_CLUSTER_SEEDS = 64;

/** The local broker `npm run kafka:up` and the CLI use when KAFKA_BROKERS is unset. */
export const DEFAULT_KAFKA_BROKERS = '127.0.0.1:9092';

export const kafkaEnvShape = {
  KAFKA_BROKERS: envList(`a comma-separated list of host:port, such as ${DEFAULT_KAFKA_BROKERS}`, HOST_PORT),
  KAFKA_CLIENT_ID: envOptionalString(),
  TOPIC_PREFIX: envString(DEFAULT_TOPIC_PREFIX).pipe(z.string().regex(/^[A-Za-z0-9._-]{0,200}$/, 'expected letters, digits, ".", "_" or "-" only')),
  KAFKA_SSL: envBool(false),
  KAFKA_SSL_CA_FILE: envOptionalString(),
  KAFKA_SSL_CERT_FILE: envOptionalString(),
  KAFKA_SSL_KEY_FILE: envOptionalString(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: envBool(true),
  KAFKA_SASL_MECHANISM: envEnum(['none', 'plain', 'scram-sha-256', 'scram-sha-512'], 'none'),
  KAFKA_SASL_USERNAME: envOptionalString(),
  KAFKA_SASL_PASSWORD: envOptionalString(),
  /** A file holding the SASL password (a mounted secret), instead of KAFKA_SASL_PASSWORD. */
  KAFKA_SASL_PASSWORD_FILE: envOptionalString(),
  KAFKA_CONNECTION_TIMEOUT_MS: envInt(10_000, { min: 100, max: 300_000 }),
  /** How long the group waits for a silent member before handing its partitions to others. */
  KAFKA_SESSION_TIMEOUT_MS: envInt(30_000, { min: 6_000, max: 300_000 }),
  /** Consumer groups are named <prefix><service>[-<input>], so fleets (and tests) can share a cluster. */
  /** How many bytes of a rejected record's value its dead letter keeps; the size and sha256 cover the rest. */
  DEAD_LETTER_MAX_VALUE_BYTES: envInt(64 * 1024, { min: 0, max: 512 * 1024 }),
  /** A consumer that dead-letters this many records of one topic within DEAD_LETTER_SPIKE_WINDOW_MS raises a dlq-spike alert; 0 turns it off. */
  DEAD_LETTER_SPIKE_COUNT: envInt(100, { min: 0, max: 100_000_000 }),
  DEAD_LETTER_SPIKE_WINDOW_MS: envInt(60_000, { min: 1_000, max: 24 * 3_600_000 }),
  KAFKA_GROUP_PREFIX: envString('penumbra.').pipe(z.string().regex(/^[A-Za-z0-9._-]{0,200}$/, 'expected letters, digits, ".", "_" or "-" only')),
};

export const redisEnvShape = {
  REDIS_URL: envString('redis://127.0.0.1:6379').pipe(z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')),
  REDIS_USERNAME: envOptionalString(),
  REDIS_PASSWORD: envOptionalString(),
  REDIS_TLS: envBool(false),
  REDIS_TLS_CA_FILE: envOptionalString(),
  REDIS_TLS_REJECT_UNAUTHORIZED: envBool(true),
  REDIS_KEY_PREFIX: envString('penumbra:').pipe(z.string().max(200)),
  /** Seed nodes of a Redis Cluster (host:port, comma-separated); set, the client runs in Cluster mode and REDIS_URL is not used. */
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const items = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = items.filter((i) => !HOST_PORT.test(i));
      if (bad.length > 0 || items.length > MAX_CLUSTER_SEEDS) {
        ctx.addIssue({ code: 'custom', message: `expected 1 to ${MAX_CLUSTER_SEEDS} host:port items separated by commas${bad.length ? `; bad item(s): ${bad.join(', ')}` : ''}` });
        return z.NEVER;
      }
      return items;
    }),
};

const TOKEN_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const optionalNames = (what: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const items = (v ?? '')
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
      const bad = items.filter((i) => !TOKEN_NAME.test(i));
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `expected comma-separated ${what}; bad item(s): ${bad.join(', ')}` });
        return z.NEVER;
      }
      return items.length > 0 ? items : undefined;
    });

/** What counts as a credential in pairs, diffs, dead letters, the audit and reports, on top of the defaults. */
export const credentialEnvShape = {
  PENUMBRA_CREDENTIAL_HEADERS: optionalNames('header names'),
  PENUMBRA_CREDENTIAL_QUERY_PARAMS: optionalNames('query parameter names'),
  /** Shared by every service, a token hashes the same everywhere; unset, each process hashes with a random key. */
  PENUMBRA_CREDENTIAL_HASH_KEY: envOptionalString().pipe(z.string().min(16, 'expected at least 16 characters').optional()),
};

export const httpEnvShape = {
  HTTP_HOST: envString('127.0.0.1'),
  HTTP_PORT: envInt(0, { min: 0, max: 65_535 }),
  LOG_LEVEL: envEnum(['debug', 'info', 'warn', 'error'], 'info'),
};

/** Cross-field rules for the Kafka security settings. */
export function refineKafkaSecurity(
  env: { KAFKA_SASL_MECHANISM: string; KAFKA_SASL_USERNAME?: string | undefined; KAFKA_SASL_PASSWORD?: string | undefined; KAFKA_SASL_PASSWORD_FILE?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (env.KAFKA_SASL_PASSWORD && env.KAFKA_SASL_PASSWORD_FILE) {
    ctx.addIssue({ code: 'custom', path: ['KAFKA_SASL_PASSWORD_FILE'], message: 'set either KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both' });
  }
  if (env.KAFKA_SASL_MECHANISM === 'none') return;
  if (!env.KAFKA_SASL_USERNAME) ctx.addIssue({ code: 'custom', path: ['KAFKA_SASL_USERNAME'], message: `required when KAFKA_SASL_MECHANISM=${env.KAFKA_SASL_MECHANISM}` });
  if (!env.KAFKA_SASL_PASSWORD && !env.KAFKA_SASL_PASSWORD_FILE) {
    ctx.addIssue({ code: 'custom', path: ['KAFKA_SASL_PASSWORD'], message: `required (or KAFKA_SASL_PASSWORD_FILE) when KAFKA_SASL_MECHANISM=${env.KAFKA_SASL_MECHANISM}` });
  }
}

type UnsetKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];
/** A parsed environment whose unset variables may also be left out (as a caller building one by hand does). */
type Parsed<T> = Omit<T, UnsetKeys<T>> & Partial<Pick<T, UnsetKeys<T>>>;

/** The parsed Kafka, Redis and HTTP variables, as every service schema includes them. */
export type KafkaEnvVars = Parsed<z.infer<z.ZodObject<typeof kafkaEnvShape>>>;
export type RedisEnvVars = Parsed<z.infer<z.ZodObject<typeof redisEnvShape>>>;
export type HttpEnvVars = Parsed<z.infer<z.ZodObject<typeof httpEnvShape>>>;
export type CredentialEnvVars = Parsed<z.infer<z.ZodObject<typeof credentialEnvShape>>>;
