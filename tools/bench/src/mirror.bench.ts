// Replays per second of the mirror's replay path (decide, replay over keep-alive pools, build, check
// and encode the pair as the service does) against a local HTTP server, and what autocannon reaches against the same
// server with the same concurrency, in the same run.
import autocannon from 'autocannon';
import { experimentRecordSchema, experimentSpecSchema, trafficRecordSchema } from '@penumbra/contracts';
import { createReplayClient } from '@penumbra/http';
import { encodeParsedEvent } from '@penumbra/kafka';
import { ExperimentRegistry, MirrorEngine, MirrorMetrics } from '@penumbra/mirror';
import { parseDestinationPolicy } from '@penumbra/mirror-core';
import { createMetricsRegistry } from '@penumbra/observability';
import { bestPeer, report } from './report';
import { startTarget } from './target-process';

const CONNECTIONS = 64;
const DURATION_S = Number(process.env['BENCH_DURATION_S'] ?? '8');

async function ours(url: string): Promise<{ perSec: number; replays: number; errors: number }> {
  const registry = new ExperimentRegistry({ destinations: parseDestinationPolicy(['127.0.0.1/32']) });
  const spec = experimentSpecSchema.parse({
    id: 'bench',
    target: { service: 'orders' },
    shadow: { candidate: { baseUrl: url }, rateLimitPerSec: 1_000_000, maxInFlight: CONNECTIONS, onOverload: 'backpressure' },
    policy: { stages: [{ name: 's' }] },
  });
  registry.upsert(experimentRecordSchema.parse({ type: 'experiment.v1', id: '1', ts: 1, experimentId: 'bench', actor: 'bench', spec }));
  const client = createReplayClient({ connectionsPerOrigin: CONNECTIONS });
  const engine = new MirrorEngine({ experiments: registry, client, metrics: new MirrorMetrics(createMetricsRegistry('bench', { defaultMetrics: false })) });
  const record = (i: number) =>
    trafficRecordSchema.parse({
      type: 'traffic.v1',
      id: `t-${i}`,
      ts: Date.now(),
      service: 'orders',
      request: { method: 'GET', path: `/orders/${i}`, headers: { accept: 'application/json', authorization: 'Bearer x' } },
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: { encoding: 'utf8', data: '{"id":42}' }, latencyMs: 3 },
    });
  let replays = 0;
  let errors = 0;
  let next = 0;
  const deadline = Date.now() + DURATION_S * 1000;
  const started = performance.now();
  // Batches as the consumer hands them over: 500 records, replayed concurrently within the cap.
  while (Date.now() < deadline) {
    const batch = Array.from({ length: 500 }, () => record(next++));
    const outcomes = (await Promise.all(batch.map((r) => engine.process(r)))).flat();
    for (const o of outcomes) {
      if (o.kind !== 'pair') continue;
      encodeParsedEvent(o.pair, 'shadow.pairs', o.pair.id);
      if (o.pair.candidate.ok) replays += 1;
      else errors += 1;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  return { perSec: replays / seconds, replays, errors };
}

async function peer(url: string): Promise<number> {
  const result = await autocannon({ url: `${url}/orders/1`, connections: CONNECTIONS, duration: DURATION_S, headers: { accept: 'application/json' } });
  return result.requests.average;
}

async function main(): Promise<void> {
  const target = await startTarget();
  try {
    if (process.env['BENCH_PROFILE_OURS']) {
      process.stdout.write(`${JSON.stringify(await ours(target.url))}\n`);
      return;
    }
    await peer(target.url).catch(() => undefined);
    const mine = await ours(target.url);
    const autocannonRps = await peer(target.url);
    const peers = { autocannon: autocannonRps };
    const ratio = mine.perSec / bestPeer(peers);
    report(
      {
        bench: 'mirror',
        unit: 'replays/s',
        ours: Math.round(mine.perSec),
        peers: { autocannon: Math.round(autocannonRps) },
        ratio: Math.round(ratio * 1000) / 1000,
        connections: CONNECTIONS,
        durationS: DURATION_S,
        errors: mine.errors,
      },
      [
        ['connections', String(CONNECTIONS)],
        ['mirror replay path', `${Math.round(mine.perSec)} replays/s (${mine.replays} replays, ${mine.errors} errors)`],
        ['autocannon', `${Math.round(autocannonRps)} requests/s`],
        ['ratio', ratio.toFixed(3)],
      ],
    );
  } finally {
    target.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
