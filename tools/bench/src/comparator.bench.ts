// Pairs per second through the comparator service on the real broker and Redis, next to a bare
// consume-and-produce of the same messages (same broker, same batch consumer, no work), in one run.
import { pairSchema } from '@penumbra/contracts';
import { join } from 'node:path';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, jsonPair, publishExperiments, spawnTs } from '@penumbra/kafka-testing';
import { startRedisServer, waitFor } from '@penumbra/testing';
import { apiResponse, changed } from './api-json';
import { report } from './report';

const PAIRS = Number(process.env['BENCH_PAIRS'] ?? '40000');

async function committed(kafka: TestKafka, group: string, topic: string): Promise<number> {
  return (await kafka.admin.groupOffsets(group, topic)).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/** Steady-state rate: from the group's first commit to its last, so start-up and joins do not count. */
async function steadyRate(kafka: TestKafka, group: string): Promise<number> {
  const first = await waitFor(async () => {
    const c = await committed(kafka, group, kafka.topics.pairs);
    return c > 0 ? { c, t: performance.now() } : undefined;
  }, { timeoutMs: 600_000, intervalMs: 20 });
  await waitFor(async () => (await committed(kafka, group, kafka.topics.pairs)) >= PAIRS, { timeoutMs: 600_000, intervalMs: 20 });
  return (PAIRS - first.c) / ((performance.now() - first.t) / 1000);
}

async function bare(kafka: TestKafka, out: string): Promise<number> {
  const group = kafka.ns.groupId('bare');
  const consumer = kafka.client.consumer({ groupId: group });
  await consumer.subscribe([kafka.topics.pairs], { fromBeginning: true });
  await consumer.run(async (batch, control) => {
    await kafka.producer.send(batch.records.map((r) => ({ topic: out, key: r.key?.toString() ?? null, value: r.value })));
    const last = batch.records[batch.records.length - 1];
    if (last) {
      await control.commit((BigInt(last.offset) + 1n).toString());
      control.resolveOffset(last.offset);
    }
  });
  const rate = await steadyRate(kafka, group);
  await consumer.disconnect();
  return rate;
}

async function ours(kafka: TestKafka, redisUrl: string): Promise<number> {
  const child = spawnTs(join(__dirname, '..', '..', '..', 'apps', 'comparator', 'src', 'main.ts'), {
    KAFKA_BROKERS: kafka.brokers.join(','),
    TOPIC_PREFIX: kafka.ns.topicPrefix,
    KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: kafka.ns.keyPrefix,
    LOG_LEVEL: 'error',
  });
  try {
    return await steadyRate(kafka, `${kafka.ns.id}.comparator`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  const kafka = await createTestKafka('bench-comparator');
  const redis = await startRedisServer();
  try {
    await kafka.provision({ pairs: { partitions: 2 }, diffs: { partitions: 2 } });
    const out = await kafka.createTopic('bare-out', 2);
    await publishExperiments(kafka, [{ id: 'bench', target: { service: 's' }, shadow: { candidate: { baseUrl: 'http://127.0.0.1:1' } }, compare: { ignore: ['$.meta.generatedAt'] }, policy: { stages: [{ name: 'x' }] } }]);
    const primary = apiResponse(1000, 1);
    const candidate = changed(primary);
    const secondary = { ...primary, requestId: 'other' };
    for (let i = 0; i < PAIRS; i += 200) {
      const batch = Array.from({ length: Math.min(200, PAIRS - i) }, (_, k) => jsonPair('bench', `t${i + k}`, { primary, candidate, secondary }));
      await kafka.send(batch.map((p) => encodeEvent(pairSchema, p, kafka.topics.pairs, p.id)));
    }
    const bareRate = await bare(kafka, out);
    const ourRate = await ours(kafka, redis.url);
    const ratio = ourRate / bareRate;
    report(
      { bench: 'comparator', unit: 'pairs/s', ours: Math.round(ourRate), peers: { 'bare consume-produce': Math.round(bareRate) }, ratio: Math.round(ratio * 1000) / 1000, pairs: PAIRS, pairBytes: JSON.stringify(jsonPair('bench', 't', { primary, candidate, secondary })).length },
      [
        ['pairs', `${PAIRS} (about 1 KB bodies, with a secondary)`],
        ['comparator service', `${Math.round(ourRate)} pairs/s (its own process, steady state)`],
        ['bare consume-produce', `${Math.round(bareRate)} pairs/s (steady state)`],
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
