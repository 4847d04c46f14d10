import { readFileSync } from 'node:fs';
import { type KafkaEnvVars } from '@penumbra/config';
import { ConfigError } from '@penumbra/errors';

export interface KafkaConnectionConfig {
  brokers: string[];
  clientId: string;
  connectionTimeoutMs: number;
  ssl: false | { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  sasl: null | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

/** The connection variables of a parsed service environment, typed from their schema in @penumbra/config. */
export type KafkaEnv = Omit<KafkaEnvVars, 'TOPIC_PREFIX' | 'KAFKA_GROUP_PREFIX' | 'KAFKA_SESSION_TIMEOUT_MS'>;

function readPem(variable: string, path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${variable}: cannot read ${path} (${(err as Error).message}); point it at a readable file`, { variable });
  }
}

/** A secret file's content without its trailing newline (as `echo` or a mounted secret leaves it). */
function readSecret(variable: string, path: string | undefined): string | undefined {
  const text = readPem(variable, path);
  if (text === undefined) return undefined;
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new ConfigError(`${variable}: ${path} is empty; write the password into it`, { variable });
  return secret;
}

export function kafkaConnectionFromEnv(env: KafkaEnv, defaultClientId: string): KafkaConnectionConfig {
  const ssl =
    env.KAFKA_SSL || env.KAFKA_SSL_CA_FILE
      ? {
          ca: readPem('KAFKA_SSL_CA_FILE', env.KAFKA_SSL_CA_FILE),
          cert: readPem('KAFKA_SSL_CERT_FILE', env.KAFKA_SSL_CERT_FILE),
          key: readPem('KAFKA_SSL_KEY_FILE', env.KAFKA_SSL_KEY_FILE),
          rejectUnauthorized: env.KAFKA_SSL_REJECT_UNAUTHORIZED,
        }
      : false;
  const sasl =
    env.KAFKA_SASL_MECHANISM === 'none'
      ? null
      : {
          mechanism: env.KAFKA_SASL_MECHANISM,
          username: env.KAFKA_SASL_USERNAME ?? '',
          password: env.KAFKA_SASL_PASSWORD ?? readSecret('KAFKA_SASL_PASSWORD_FILE', env.KAFKA_SASL_PASSWORD_FILE) ?? '',
        };
  return { brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID ?? defaultClientId, connectionTimeoutMs: env.KAFKA_CONNECTION_TIMEOUT_MS, ssl, sasl };
}
