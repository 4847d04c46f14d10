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

  it('leaves Redis exactly as the same events applied one by one, redeliveries and duplicates included', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 6 }), async (drawn, cuts) => {
        run += 1;
        const states: Array<Record<string, unknown>> = [];
        for (const sumBatches of [true, false]) {
          const prefix = `p${run}${sumBatches ? 's' : 'e'}:`;
          const store = new WindowStore(redis, { prefix, windowMs: 10_000, retentionMs: 3_600_000, dedupeMs: 3_600_000, maxExamples: 2, maxTopPaths: 2, sumBatches });
          const events = drawn.map((d, i) => opsOf(d, i, prefix));
          // Chunks as the consumer hands them, then a redelivery from an earlier offset. (Which path takes the
          // last place under the path cap, among paths first seen in one batch, is arbitrary either way: no cap here.)
          let at = 0;
          for (const n of [...cuts, events.length]) {
            if (at >= events.length) break;
            await store.apply(store.offsetKey('g', 't', 0), events.slice(at, at + n));
            at += n;
          }
          await store.apply(store.offsetKey('g', 't', 0), events.slice(Math.floor(events.length / 2)));
          states.push(await dump(redis, prefix));
        }
        expect(states[0]).toEqual(states[1]);
      }),
      { numRuns: 60 },
    );
  });
});
