import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@penumbra/errors';
import { type KafkaEnv, kafkaConnectionFromEnv } from './connection';

const base: KafkaEnv = {
  KAFKA_BROKERS: ['127.0.0.1:9092'],
  KAFKA_SSL: false,
  KAFKA_SSL_REJECT_UNAUTHORIZED: true,
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: 'comparator',
  KAFKA_CONNECTION_TIMEOUT_MS: 1000,
  DEAD_LETTER_MAX_VALUE_BYTES: 1024,
  DEAD_LETTER_SPIKE_COUNT: 100,
  DEAD_LETTER_SPIKE_WINDOW_MS: 60_000,
};

describe('kafkaConnectionFromEnv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'penumbra-sasl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes SASL settings to the client, the password from the environment', () => {
    expect(kafkaConnectionFromEnv({ ...base, KAFKA_SASL_PASSWORD: 'p1' }, 'c').sasl).toEqual({ mechanism: 'scram-sha-512', username: 'comparator', password: 'p1' });
    expect(kafkaConnectionFromEnv({ ...base, KAFKA_SASL_MECHANISM: 'none' }, 'c').sasl).toBeNull();
  });

  it('reads the password from KAFKA_SASL_PASSWORD_FILE without its trailing newline', () => {
    const file = join(dir, 'password');
    writeFileSync(file, 's3cret\n');
    expect(kafkaConnectionFromEnv({ ...base, KAFKA_SASL_PASSWORD_FILE: file }, 'c').sasl?.password).toBe('s3cret');
  });

  it('names the variable when the password file is missing or empty', () => {
    expect(() => kafkaConnectionFromEnv({ ...base, KAFKA_SASL_PASSWORD_FILE: join(dir, 'absent') }, 'c')).toThrow(ConfigError);
    expect(() => kafkaConnectionFromEnv({ ...base, KAFKA_SASL_PASSWORD_FILE: join(dir, 'absent') }, 'c')).toThrow(/KAFKA_SASL_PASSWORD_FILE: cannot read/);
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    expect(() => kafkaConnectionFromEnv({ ...base, KAFKA_SASL_PASSWORD_FILE: empty }, 'c')).toThrow(/KAFKA_SASL_PASSWORD_FILE: .* is empty/);
  });
});
