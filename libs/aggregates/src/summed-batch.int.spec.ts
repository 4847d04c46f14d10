import fc from 'fast-check';
import { type Cluster, type Redis } from 'ioredis';
import { diffEventSchema, metricObservationSchema } from '@penumbra/contracts';
import { startRedisServer, type TestRedis } from '@penumbra/testing';
import { type EventOps, diffEventOps, metricOps } from './window-ops';
import { WindowStore } from './window-store';

jest.setTimeout(120_000);

const T0 = 1_763_776_800_000;

const eventArb = fc.record({
  kind: fc.constantFrom('diff', 'metric'),
  id: fc.integer({ min: 0, max: 40 }),
  second: fc.integer({ min: 0, max: 40 }),
  tenant: fc.constantFrom('a', 'b', 'c'),
  mismatch: fc.boolean(),
  path: fc.constantFrom('$.a', '$.b', '$.items[0].c'),
  latency: fc.integer({ min: 0, max: 5_000 }),
  value: fc.integer({ min: -1_000, max: 1_000 }),
});
type Drawn = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function opsOf(d: Drawn, offset: number, prefix: string): EventOps {
  const keys = { prefix, windowMs: 10_000 };
  const ts = T0 + d.second * 1000;
  if (d.kind === 'metric')
    return metricOps(
      metricObservationSchema.parse({ type: 'metric.v1', id: `metric${d.id}`, ts, experimentId: 'x', name: 'precision', value: d.value, slice: { tenant: d.tenant } }),
      String(offset),
      keys,
    );
  const differences = d.mismatch ? [{ path: d.path, kind: 'changed', primary: String(d.value), candidate: String(d.value + 1) }] : [];
  const event = diffEventSchema.parse({
    type: 'diff.v1',
    id: `diff${d.id}`,
    ts,
    experimentId: 'x',
    endpoint: 'GET /items/:id',
    slice: { tenant: d.tenant },
    outcome: d.mismatch ? 'mismatch' : 'match',
    statusMatch: true,
    status: { primary: 200, candidate: 200 },
    differences,
    latencyMs: { primary: d.latency, candidate: d.latency + 1 },
    paired: { candidate: d.mismatch ? [d.path] : [], secondary: [] },
  });
  return diffEventOps(event, String(offset), keys, 0.01);
}

/** Everything under a prefix, the prefix left out, with each key read by its type. */
async function dump(redis: Redis | Cluster, prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of (await redis.keys(`${prefix}*`)).sort()) {
    const type = await redis.type(key);
    const name = key.slice(prefix.length);
    if (type === 'hash') out[name] = await redis.hgetall(key);
    else if (type === 'zset') out[name] = await redis.zrange(key, 0, -1, 'WITHSCORES');
    else if (type === 'list') out[name] = await redis.lrange(key, 0, -1);
    else if (type === 'set') out[name] = (await redis.smembers(key)).sort();
    else out[name] = await redis.get(key);
  }
  return out;
}

describe('a summed batch on a real redis-server', () => {
  let server: TestRedis;
  let redis: Redis | Cluster;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = server.connect();
  });

  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  let run = 0;
  /** What Redis holds after the drawn events, cut into chunks as the consumer hands them, then a redelivery from an earlier offset. */
  async function applied(drawn: Drawn[], cuts: number[], options: { sumBatches: boolean; maxTopPaths: number; maxScriptChars?: number }): Promise<Record<string, unknown>> {
    run += 1;
    const prefix = `p${run}:`;
    const store = new WindowStore(redis, { prefix, windowMs: 10_000, retentionMs: 3_600_000, dedupeMs: 3_600_000, maxExamples: 2, ...options });
    const events = drawn.map((d, i) => opsOf(d, i, prefix));
    let at = 0;
    for (const n of [...cuts, events.length]) {
      if (at >= events.length) break;
      await store.apply(store.offsetKey('g', 't', 0), events.slice(at, at + n));
      at += n;
    }
    await store.apply(store.offsetKey('g', 't', 0), events.slice(Math.floor(events.length / 2)));
    return dump(redis, prefix);
  }
  const drawnArb = fc.array(eventArb, { minLength: 1, maxLength: 60 });
  const cutsArb = fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 6 });

  it('leaves Redis exactly as the same events applied one by one, redeliveries and duplicates included', async () => {
    // (Which path takes the last place under the path cap, among paths first seen in one batch, is arbitrary either way: no cap here.)
    await fc.assert(
      fc.asyncProperty(drawnArb, cutsArb, async (drawn, cuts) => {
        expect(await applied(drawn, cuts, { sumBatches: true, maxTopPaths: 2 })).toEqual(await applied(drawn, cuts, { sumBatches: false, maxTopPaths: 2 }));
      }),
      { numRuns: 60 },
    );
  });

  it('leaves the same windows when each script call is bounded to a few events, in either form', async () => {
    // Smaller calls trim the top paths sooner and number more changes: the bound keeps every path, and the change log is left out.
    const windows = (state: Record<string, unknown>) => Object.fromEntries(Object.entries(state).filter(([k]) => !k.endsWith(':seq') && !k.endsWith(':touched')));
    await fc.assert(
      fc.asyncProperty(drawnArb, cutsArb, fc.boolean(), fc.integer({ min: 200, max: 3_000 }), async (drawn, cuts, sumBatches, maxScriptChars) => {
        const whole = windows(await applied(drawn, cuts, { sumBatches, maxTopPaths: 100 }));
        expect(windows(await applied(drawn, cuts, { sumBatches, maxTopPaths: 100, maxScriptChars }))).toEqual(whole);
      }),
      { numRuns: 40 },
    );
  });
});
