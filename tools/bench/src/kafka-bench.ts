import { join } from 'node:path';
import { findWorkspaceRoot } from '@penumbra/config';
import { type TestKafka, spawnTs } from '@penumbra/kafka-testing';
import { waitFor } from '@penumbra/testing';

/** Steady-state rate of a progress counter: from its first movement to reaching the total, so start-up and joins do not count. */
export async function steadyRate(progress: () => Promise<number>, total: number): Promise<number> {
  const first = await waitFor(
    async () => {
      const c = await progress();
      return c > 0 ? { c, t: performance.now() } : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 20 },
  );
  await waitFor(async () => (await progress()) >= total, { timeoutMs: 600_000, intervalMs: 20 });
  return (total - first.c) / ((performance.now() - first.t) / 1000);
}

/** Records a consumer group has committed on a topic. */
export async function committed(kafka: TestKafka, group: string, topic: string): Promise<number> {
  return (await kafka.admin.groupOffsets(group, topic)).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/** The peer of the service benchmarks: consume a topic and produce each record unchanged, committing after each batch. */
export async function bareConsumeProduce(kafka: TestKafka, topic: string, total: number): Promise<number> {
  const out = await kafka.createTopic(`${topic.slice(kafka.ns.topicPrefix.length)}-bare-out`, 2);
  const group = kafka.ns.groupId('bare');
  const consumer = kafka.client.consumer({ groupId: group });
  await consumer.subscribe([topic], { fromBeginning: true });
  await consumer.run(async (batch, control) => {
    await kafka.producer.send(batch.records.map((r) => ({ topic: out, key: r.key?.toString() ?? null, value: r.value })));
    const last = batch.records[batch.records.length - 1];
    if (last) {
      await control.commit((BigInt(last.offset) + 1n).toString());
      control.resolveOffset(last.offset);
    }
  });
  try {
    return await steadyRate(() => committed(kafka, group, topic), total);
  } finally {
    await consumer.disconnect();
  }
}

/** Runs a service's own process against the bench's namespace while `measure` runs, then stops it. */
export async function withServiceProcess<T>(kafka: TestKafka, service: string, redisUrl: string, measure: () => Promise<T>): Promise<T> {
  const child = spawnTs(join(findWorkspaceRoot(__dirname), 'apps', service, 'src', 'main.ts'), {
    KAFKA_BROKERS: kafka.brokers.join(','),
    TOPIC_PREFIX: kafka.ns.topicPrefix,
    ...kafka.operators.env,
    KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: kafka.ns.keyPrefix,
    LOG_LEVEL: 'error',
  });
  try {
    return await measure();
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
