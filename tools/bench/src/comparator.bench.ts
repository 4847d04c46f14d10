// Pairs per second through the comparator service on the real broker and Redis, next to a bare
// consume-and-produce of the same messages (same broker, same batch consumer, no work), in one run.
import { pairSchema } from '@penumbra/contracts';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, jsonPair, publishExperiments } from '@penumbra/kafka-testing';
import { startRedisServer } from '@penumbra/testing';
import { bareConsumeProduce, committed, steadyRate, withServiceProcess } from './kafka-bench';
import { apiResponse, changed } from './api-json';
import { report } from './report';

const PAIRS = Number(process.env['BENCH_PAIRS'] ?? '40000');

function ours(kafka: TestKafka, redisUrl: string): Promise<number> {
  return withServiceProcess(kafka, 'comparator', redisUrl, () => steadyRate(() => committed(kafka, `${kafka.ns.id}.comparator`, kafka.topics.pairs), PAIRS));
}

async function main(): Promise<void> {
  const kafka = await createTestKafka('bench-comparator');
  const redis = await startRedisServer();
  try {
    await kafka.provision({ pairs: { partitions: 2 }, diffs: { partitions: 2 } });
    await publishExperiments(kafka, [
      {
        id: 'bench',
        target: { service: 's' },
        shadow: { candidate: { baseUrl: 'http://127.0.0.1:1' } },
        compare: { ignore: ['$.meta.generatedAt'] },
        policy: { stages: [{ name: 'x' }] },
      },
    ]);
    const primary = apiResponse(1000, 1);
    const candidate = changed(primary);
    const secondary = { ...primary, requestId: 'other' };
    for (let i = 0; i < PAIRS; i += 200) {
      const batch = Array.from({ length: Math.min(200, PAIRS - i) }, (_, k) => jsonPair('bench', `t${i + k}`, { primary, candidate, secondary }));
      await kafka.send(batch.map((p) => encodeEvent(pairSchema, p, kafka.topics.pairs, p.id)));
    }
    const bareRate = await bareConsumeProduce(kafka, kafka.topics.pairs, PAIRS);
    const ourRate = await ours(kafka, redis.url);
    const ratio = ourRate / bareRate;
    report(
      {
        bench: 'comparator',
        unit: 'pairs/s',
        ours: Math.round(ourRate),
        peers: { 'bare consume-produce': Math.round(bareRate) },
        ratio: Math.round(ratio * 1000) / 1000,
        pairs: PAIRS,
        pairBytes: JSON.stringify(jsonPair('bench', 't', { primary, candidate, secondary })).length,
      },
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
