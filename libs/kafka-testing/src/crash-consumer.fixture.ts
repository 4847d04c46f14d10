// Runs a BatchConsumer in its own process for the crash test. With MODE=crash it is killed with
// SIGKILL after its handler has run and before the offsets are committed.
import { metricObservationSchema } from '@penumbra/contracts';
import { silentLogger } from '@penumbra/observability';
import { BatchConsumer, createKafkaClient } from '@penumbra/kafka';
import { killBeforeCommit } from './crash';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

async function main(): Promise<void> {
  const base = createKafkaClient({ brokers: env('BROKERS').split(','), clientId: 'crash-fixture', connectionTimeoutMs: 10_000, ssl: false, sasl: null }, silentLogger);
  const client = process.env['MODE'] === 'crash' ? killBeforeCommit(base) : base;
  const producer = await base.producer();
  const consumer = new BatchConsumer({
    client,
    groupId: env('GROUP'),
    topics: [{ topic: env('TOPIC'), schema: metricObservationSchema }],
    deadLetterTopic: env('DLQ'),
    deadLetters: producer,
    logger: silentLogger,
    sessionTimeoutMs: 6_000,
    handler: async (records) => {
      process.stdout.write(`${JSON.stringify({ handled: records.map((r) => r.value.id) })}\n`);
    },
  });
  await consumer.start();
  process.stdout.write(`${JSON.stringify({ started: true })}\n`);
  process.once('SIGTERM', () => {
    void consumer
      .stop()
      .then(() => producer.disconnect())
      .then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
