import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { findWorkspaceRoot, parseStackAnswer } from '@penumbra/config';
import { promisify } from 'node:util';

const run = promisify(execFile);

let containerBrokers: Promise<string> | undefined;

/**
 * The brokers for integration tests: KAFKA_BROKERS when set; with TESTCONTAINERS=1 a Kafka
 * container for this process; otherwise the local KRaft broker, started (or reused) by the
 * project's own script.
 */
export async function ensureKafka(): Promise<string[]> {
  const fromEnv = process.env['KAFKA_BROKERS'];
  if (fromEnv) return fromEnv.split(',').map((b) => b.trim());
  if (process.env['TESTCONTAINERS'] === '1') {
    containerBrokers ??= startKafkaContainer();
    return [await containerBrokers];
  }
  const script = join(findWorkspaceRoot(__dirname), 'tools', 'kafka', 'local-kafka.mjs');
  try {
    const { stdout } = await run(process.execPath, [script, 'up', '--quiet', '--json'], { timeout: 300_000 });
    const brokers = parseStackAnswer('kafka', stdout);
    process.env['KAFKA_BROKERS'] = brokers;
    return brokers.split(',');
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`could not start the local Kafka broker: ${e.stderr?.trim() || e.message}`);
  }
}

async function startKafkaContainer(): Promise<string> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
  process.once('exit', () => void container.stop());
  return `${container.getHost()}:${container.getMappedPort(9093)}`;
}
