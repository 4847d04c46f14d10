import { ConfigError } from '@penumbra/errors';
import { parseEnv } from './env';
import { serviceEnvSchemas } from './services';

const ok = { KAFKA_BROKERS: '127.0.0.1:9092' };

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseEnv', () => {
  it('fills defaults for everything but the brokers', () => {
    const env = parseEnv(serviceEnvSchemas.aggregator, ok);
    expect(env.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(env.TOPIC_PREFIX).toBe('shadow.');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(env.AGGREGATOR_WINDOW_MS).toBe(10_000);
    expect(env.KAFKA_SSL).toBe(false);
  });

  it('reads REDIS_CLUSTER_NODES as a list of host:port seeds, unset by default', () => {
    expect(parseEnv(serviceEnvSchemas.aggregator, ok).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(parseEnv(serviceEnvSchemas.aggregator, { ...ok, REDIS_CLUSTER_NODES: ' 127.0.0.1:7000, 127.0.0.1:7001 ' }).REDIS_CLUSTER_NODES).toEqual([
      '127.0.0.1:7000',
      '127.0.0.1:7001',
    ]);
    expect(message(() => parseEnv(serviceEnvSchemas.aggregator, { ...ok, REDIS_CLUSTER_NODES: '127.0.0.1:7000,redis://x' }))).toMatch(
      /REDIS_CLUSTER_NODES: expected .*bad item\(s\): redis:\/\/x/,
    );
  });

  it('names a missing variable and what it expects', () => {
    expect(message(() => parseEnv(serviceEnvSchemas.comparator, {}, 'comparator'))).toMatch(
      /comparator: invalid configuration\n {2}KAFKA_BROKERS: required: a comma-separated list of host:port.*\(not set\)/,
    );
  });

  it('names every bad value at once', () => {
    const text = message(() => parseEnv(serviceEnvSchemas.aggregator, { ...ok, AGGREGATOR_WINDOW_MS: 'ten', KAFKA_SSL: 'maybe', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' }));
    expect(text).toMatch(/AGGREGATOR_WINDOW_MS: expected a whole number from 100 to 3600000 \(got "ten"\)/);
    expect(text).toMatch(/KAFKA_SSL: expected true or false/);
    expect(text).toMatch(/REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL/);
    expect(text).toMatch(/LOG_LEVEL: expected one of debug, info, warn, error/);
  });

  it('rejects a broker list item that is not host:port', () => {
    expect(message(() => parseEnv(serviceEnvSchemas.sentinel, { KAFKA_BROKERS: '127.0.0.1:9092,kafka' }))).toMatch(/bad item\(s\): kafka/);
  });

  it('requires SASL credentials when a mechanism is set, without echoing secrets', () => {
    const text = message(() => parseEnv(serviceEnvSchemas['audit-sink'], { ...ok, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: '' }));
    expect(text).toMatch(/KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM=scram-sha-512/);
    expect(text).toMatch(/KAFKA_SASL_PASSWORD: required/);
    const secret = message(() => parseEnv(serviceEnvSchemas['audit-sink'], { ...ok, REDIS_PASSWORD: 'hunter2', HTTP_PORT: '99999' }));
    expect(secret).not.toMatch(/hunter2/);
  });

  it('takes the SASL password from a file instead, but not from both', () => {
    const sasl = { ...ok, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'comparator' };
    expect(parseEnv(serviceEnvSchemas.comparator, { ...sasl, KAFKA_SASL_PASSWORD_FILE: 'secret/kafka' }).KAFKA_SASL_PASSWORD_FILE).toBe('secret/kafka');
    expect(message(() => parseEnv(serviceEnvSchemas.comparator, { ...sasl, KAFKA_SASL_PASSWORD: 'p', KAFKA_SASL_PASSWORD_FILE: 'secret/kafka' }))).toMatch(
      /KAFKA_SASL_PASSWORD_FILE: set either KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both/,
    );
  });

  it('reads TLS and SASL settings', () => {
    const env = parseEnv(serviceEnvSchemas['traffic-mirror'], {
      ...ok,
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
      REDIS_TLS: '1',
    });
    expect([env.KAFKA_SSL, env.KAFKA_SASL_MECHANISM, env.REDIS_TLS]).toEqual([true, 'plain', true]);
  });

  it('parses the credential settings once, and names a bad one without echoing the key', () => {
    const env = parseEnv(serviceEnvSchemas.comparator, { ...ok, PENUMBRA_CREDENTIAL_HEADERS: 'X-Tenant-Secret, x-session', PENUMBRA_CREDENTIAL_HASH_KEY: 'k'.repeat(32) });
    expect(env.PENUMBRA_CREDENTIAL_HEADERS).toEqual(['x-tenant-secret', 'x-session']);
    expect(env.PENUMBRA_CREDENTIAL_QUERY_PARAMS).toBeUndefined();
    expect(message(() => parseEnv(serviceEnvSchemas.comparator, { ...ok, PENUMBRA_CREDENTIAL_HEADERS: 'bad name' }))).toMatch(
      /PENUMBRA_CREDENTIAL_HEADERS: .*bad item\(s\): bad name/,
    );
    const short = message(() => parseEnv(serviceEnvSchemas.comparator, { ...ok, PENUMBRA_CREDENTIAL_HASH_KEY: 'short-key' }));
    expect(short).toMatch(/PENUMBRA_CREDENTIAL_HASH_KEY: expected at least 16 characters/);
    expect(short).not.toContain('short-key');
  });
});
