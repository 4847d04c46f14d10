// Diff events per second into Redis through the aggregator process (real broker, private
// redis-server), next to a bare consume-and-produce of the same messages, in one run.
import Redis from 'ioredis';
import { diffEventSchema } from '@penumbra/contracts';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka } from '@penumbra/kafka-testing';
import { startRedisServer } from '@penumbra/testing';
import { aggregatorApplied, bareConsumeProduce, steadyRate, withServiceProcess } from './kafka-bench';
import { report } from './report';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? '40000');
const PARTITIONS = 2;

async function ours(kafka: TestKafka, redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl);
  const applied = () => aggregatorApplied(redis, kafka.ns.keyPrefix);
  try {
    return await withServiceProcess(kafka, 'aggregator', redisUrl, () => steadyRate(applied, EVENTS));
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const kafka = await createTestKafka('bench-aggregator');
  const redis = await startRedisServer();
  try {
    await kafka.provision({ diffs: { partitions: PARTITIONS } });
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
    const bareRate = await bareConsumeProduce(kafka, kafka.topics.diffs, EVENTS);
    const ourRate = await ours(kafka, redis.url);
    const ratio = ourRate / bareRate;
    report(
      {
        bench: 'aggregator',
        unit: 'events/s',
        ours: Math.round(ourRate),
        peers: { 'bare consume-produce': Math.round(bareRate) },
        ratio: Math.round(ratio * 1000) / 1000,
        events: EVENTS,
      },
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
