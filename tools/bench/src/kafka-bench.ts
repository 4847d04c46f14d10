import { join } from 'node:path';
import type Redis from 'ioredis';
import { appliedOffsetKeysPattern } from '@penumbra/aggregates';
import { findWorkspaceRoot } from '@penumbra/config';
import { type OutgoingMessage } from '@penumbra/kafka';
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

/** One consume-and-produce stage: each batch of `input` is produced unchanged to `output`, then committed. */
async function startHop(kafka: TestKafka, input: string, output: string, group: string): Promise<{ disconnect(): Promise<void> }> {
  const consumer = kafka.client.consumer({ groupId: group });
  await consumer.subscribe([input], { fromBeginning: true });
  await consumer.run(async (batch, control) => {
    await sendInChunks(
      kafka,
      batch.records.map((r) => ({ topic: output, key: r.key?.toString() ?? null, value: r.value })),
    );
    const last = batch.records[batch.records.length - 1];
    if (last) {
      await control.commit((BigInt(last.offset) + 1n).toString());
      control.resolveOffset(last.offset);
    }
  });
  return consumer;
}

/** The peer of the service benchmarks: consume a topic and produce each record unchanged, committing after each batch. */
export async function bareConsumeProduce(kafka: TestKafka, topic: string, total: number): Promise<number> {
  const out = await kafka.createTopic(`${topic.slice(kafka.ns.topicPrefix.length)}-bare-out`, 2);
  const group = kafka.ns.groupId('bare');
  const consumer = await startHop(kafka, topic, out, group);
  try {
    return await steadyRate(() => committed(kafka, group, topic), total);
  } finally {
    await consumer.disconnect();
  }
}

/** Sends in requests of at most about 512 KiB, under the broker's default limit for one record batch. */
async function sendInChunks(kafka: TestKafka, messages: OutgoingMessage[]): Promise<void> {
  let chunk: typeof messages = [];
  let bytes = 0;
  for (const m of messages) {
    chunk.push(m);
    bytes += (m.value?.length ?? 0) + (m.key?.length ?? 0);
    if (bytes >= 512 * 1024) {
      await kafka.producer.send(chunk);
      [chunk, bytes] = [[], 0];
    }
  }
  if (chunk.length > 0) await kafka.producer.send(chunk);
}

/**
 * The peer of the whole-fleet benchmark: `hops` consume-and-produce stages in a row, each its own
 * group and output topic, like mirror → comparator → aggregator with no work in them. Every hop has
 * joined (a first record went all the way through) before `total` records from `messages` are
 * produced; the rate is the last hop's steady commit rate.
 */
export async function bareChain(kafka: TestKafka, hops: number, total: number, messages: (topic: string, from: number, count: number) => OutgoingMessage[]): Promise<number> {
  const consumers: Array<{ disconnect(): Promise<void> }> = [];
  const topics = [await kafka.createTopic('chain-0', 1)];
  const groups: string[] = [];
  try {
    for (let hop = 1; hop <= hops; hop += 1) {
      const output = await kafka.createTopic(`chain-${hop}`, 1);
      const group = kafka.ns.groupId(`chain-${hop}`);
      consumers.push(await startHop(kafka, topics[hop - 1]!, output, group));
      groups.push(group);
      topics.push(output);
    }
    const progress = () => committed(kafka, groups[hops - 1]!, topics[hops - 1]!);
    await sendInChunks(kafka, messages(topics[0]!, -1, 1));
    await waitFor(async () => (await progress()) >= 1, { timeoutMs: 300_000, what: 'a first record through every hop' });
    const rate = steadyRate(async () => (await progress()) - 1, total);
    for (let i = 0; i < total; i += 500) await sendInChunks(kafka, messages(topics[0]!, i, Math.min(500, total - i)));
    return await rate;
  } finally {
    for (const c of consumers) await c.disconnect();
  }
}

/** Starts one replica of a service as its own process against the bench's namespace; `stop` drains it with SIGTERM. */
export function startServiceProcess(kafka: TestKafka, service: string, redisUrl: string): { stop(): Promise<void> } {
  const child = spawnTs(join(findWorkspaceRoot(__dirname), 'apps', service, 'src', 'main.ts'), {
    KAFKA_BROKERS: kafka.brokers.join(','),
    TOPIC_PREFIX: kafka.ns.topicPrefix,
    ...kafka.operators.env,
    KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: kafka.ns.keyPrefix,
    LOG_LEVEL: 'error',
  });
  const exited = new Promise((r) => child.once('exit', r));
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs a service's own process against the bench's namespace while `measure` runs, then stops it. */
export async function withServiceProcess<T>(kafka: TestKafka, service: string, redisUrl: string, measure: () => Promise<T>): Promise<T> {
  const replica = startServiceProcess(kafka, service, redisUrl);
  try {
    return await measure();
  } finally {
    await replica.stop();
  }
}

/** Diff events the aggregator has applied: the sum over partitions of its last applied offset + 1, as its script stores them. */
export async function aggregatorApplied(redis: Pick<Redis, 'keys' | 'mget'>, keyPrefix: string): Promise<number> {
  const keys = await redis.keys(appliedOffsetKeysPattern(keyPrefix));
  const values = keys.length ? await redis.mget(...keys) : [];
  return values.reduce((s, v) => s + (v === null ? 0 : Number(v) + 1), 0);
}
