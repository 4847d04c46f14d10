import fc from 'fast-check';
import { type Cluster, type Redis } from 'ioredis';
import { diffEventSchema, metricObservationSchema } from '@penumbra/contracts';
import { startRedisServer, type TestRedis } from '@penumbra/testing';
import { type EventOps, diffEventOps, metricOps } from './window-ops';
import { type MergedAggregate, readAggregate } from './window-read';
import { WindowStore } from './window-store';
import { WindowTotals } from './window-totals';

jest.setTimeout(120_000);

const T0 = 1_763_776_800_000;
const WINDOW_MS = 1_000;

const stepArb = fc.oneof(
  fc.record({
    read: fc.constant(false),
    events: fc.array(
      fc.record({
        second: fc.integer({ min: 0, max: 12 }),
        tenant: fc.constantFrom('a', 'b'),
        mismatch: fc.boolean(),
        latency: fc.integer({ min: 1, max: 900 }),
        metric: fc.boolean(),
      }),
      { minLength: 1, maxLength: 8 },
    ),
  }),
  fc.record({ read: fc.constant(true), slice: fc.constantFrom('*', 'tenant=a'), from: fc.constantFrom(0, 2_500, 6_000), to: fc.integer({ min: 1, max: 14 }) }),
);

function opsOf(n: number, e: { second: number; tenant: string; mismatch: boolean; latency: number; metric: boolean }, prefix: string): EventOps {
  const keys = { prefix, windowMs: WINDOW_MS };
  const ts = T0 + e.second * 1000 + (n % 997);
  if (e.metric)
    return metricOps(
      metricObservationSchema.parse({ type: 'metric.v1', id: `metric${n}`, ts, experimentId: 'x', name: 'precision', value: e.latency, slice: { tenant: e.tenant } }),
      String(n),
      keys,
    );
  return diffEventOps(
    diffEventSchema.parse({
      type: 'diff.v1',
      id: `diff${n}`,
      ts,
      experimentId: 'x',
      endpoint: 'GET /items/:id',
      slice: { tenant: e.tenant },
      outcome: e.mismatch ? 'mismatch' : 'match',
      statusMatch: true,
      status: { primary: 200, candidate: 200 },
      latencyMs: { primary: e.latency, candidate: e.latency + 3 },
    }),
    String(n),
    keys,
    0.01,
  );
}

const comparable = (m: MergedAggregate) => ({
  windows: m.windows,
  counts: m.counts,
  latency: [m.latency.primary.toJSON(), m.latency.candidate.toJSON(), m.latency.secondary.toJSON()],
  metrics: m.metrics,
});

describe('WindowTotals on a real redis-server', () => {
  let server: TestRedis;
  let redis: Redis | Cluster;

  beforeAll(async () => {
    server = await startRedisServer({ clusterable: true });
    redis = server.connect();
  });

  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('reads what a full merge of the windows reads, however late events land and reads interleave', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), async (steps) => {
        run += 1;
        const keys = { prefix: `t${run}:`, windowMs: WINDOW_MS };
        const store = new WindowStore(redis, { ...keys, retentionMs: 3_600_000, dedupeMs: 3_600_000 });
        const totals = new WindowTotals(redis, keys, { recentWindows: 2 });
        let n = 0;
        for (const step of steps) {
          if (!step.read) {
            await store.apply(
              store.offsetKey('g', 't', 0),
              step.events.map((e) => opsOf((n += 1), e, keys.prefix)),
            );
            continue;
          }
          const [from, to] = [T0 + step.from, T0 + step.to * 1000];
          const full = await readAggregate(redis, keys, 'x', step.slice, from, to, 0.01, { topPaths: false });
          expect(comparable(await totals.read('x', step.slice, from, to))).toEqual(comparable(full));
        }
      }),
      { numRuns: 80 },
    );
  });
});
