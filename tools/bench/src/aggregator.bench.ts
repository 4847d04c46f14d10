// Diff events per second into Redis through the aggregator process (real broker, private
// redis-server), next to a bare consume-and-produce of the same messages, in one run.
import { join } from 'node:path';
import Redis from 'ioredis';
import { diffEventSchema } from '@penumbra/contracts';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, spawnTs } from '@penumbra/kafka-testing';
import { startRedisServer, waitFor } from '@penumbra/testing';
import { report } from './report';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? '40000');
const PARTITIONS = 2;

/** Steady-state rate of a progress counter: from its first movement to reaching the total. */
async function steadyRate(progress: () => Promise<number>): Promise<number> {
  const first = await waitFor(async () => {
    const c = await progress();
    return c > 0 ? { c, t: performance.now() } : undefined;
  }, { timeoutMs: 600_000, intervalMs: 20 });
  await waitFor(async () => (await progress()) >= EVENTS, { timeoutMs: 600_000, intervalMs: 20 });
  return (EVENTS - first.c) / ((performance.now() - first.t) / 1000);
}

async function committed(kafka: TestKafka, group: string): Promise<number> {
  return (await kafka.admin.groupOffsets(group, kafka.topics.diffs)).reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
}

async function bare(kafka: TestKafka, out: string): Promise<number> {
  const group = kafka.ns.groupId('bare');
  const consumer = kafka.client.consumer({ groupId: group });
  await consumer.subscribe([kafka.topics.diffs], { fromBeginning: true });
  await consumer.run(async (batch, control) => {
    await kafka.producer.send(batch.records.map((r) => ({ topic: out, key: r.key?.toString() ?? null, value: r.value })));
    const last = batch.records[batch.records.length - 1];
    if (last) {
      await control.commit((BigInt(last.offset) + 1n).toString());
      control.resolveOffset(last.offset);
    }
  });
  const rate = await steadyRate(() => committed(kafka, group));
  await consumer.disconnect();
  return rate;
}

async function ours(kafka: TestKafka, redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl);
  const child = spawnTs(join(__dirname, '..', '..', '..', 'apps', 'aggregator', 'src', 'main.ts'), {
    KAFKA_BROKERS: kafka.brokers.join(','),
    TOPIC_PREFIX: kafka.ns.topicPrefix,
    KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: kafka.ns.keyPrefix,
    LOG_LEVEL: 'error',
  });
  const applied = async () => {
    const keys = await redis.keys(`${kafka.ns.keyPrefix}agg:offset:*`);
    const values = keys.length ? await redis.mget(...keys) : [];
    return values.reduce((s, v) => s + (v === null ? 0 : Number(v) + 1), 0);
  };
  try {
    return await steadyRate(applied);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const kafka = await createTestKafka('bench-aggregator');
  const redis = await startRedisServer();
  try {
    await kafka.provision({ diffs: { partitions: PARTITIONS } });
    const out = await kafka.createTopic('bare-out', PARTITIONS);
    const now = Date.now();
    for (let i = 0; i < EVENTS; i += 500) {
      const batch = Array.from({ length: Math.min(500, EVENTS - i) }, (_, k) => {
        const n = i + k;
        return diffEventSchema.parse({
          type: 'diff.v1',
          id: `bench:t${n}`,
          ts: now - (n % 60) * 1000,
          experimentId: 'bench',
          endpoint: `GET /items/:id`,
          slice: { tenant: `t${n % 5}` },
          outcome: n % 10 === 0 ? 'mismatch' : 'match',
          statusMatch: true,
          status: { primary: 200, candidate: 200 },
          differences: n % 10 === 0 ? [{ path: '$.price', kind: 'changed', primary: '1', candidate: '2' }] : [],
          latencyMs: { primary: 5 + (n % 50), candidate: 6 + (n % 40) },
        });
      });
      await kafka.send(batch.map((e) => encodeEvent(diffEventSchema, e, kafka.topics.diffs, e.id)));
    }
    const bareRate = await bare(kafka, out);
    const ourRate = await ours(kafka, redis.url);
    const ratio = ourRate / bareRate;
    report(
      { bench: 'aggregator', unit: 'events/s', ours: Math.round(ourRate), peers: { 'bare consume-produce': Math.round(bareRate) }, ratio: Math.round(ratio * 1000) / 1000, events: EVENTS },
      [
        ['events', `${EVENTS} diff events, 5 slices, 10% mismatches`],
        ['aggregator into Redis', `${Math.round(ourRate)} events/s (its own process, steady state, exactly-once script)`],
        ['bare consume-produce', `${Math.round(bareRate)} events/s (steady state)`],
        ['ratio', ratio.toFixed(3)],
      ],
    );
  } finally {
    await redis.stop();
    await kafka.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
