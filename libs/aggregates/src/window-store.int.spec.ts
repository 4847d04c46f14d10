import { type Cluster, type Redis } from 'ioredis';
import { type DiffEvent, type MetricObservation, diffEventSchema, metricObservationSchema } from '@penumbra/contracts';
import { startRedisServer, type TestRedis } from '@penumbra/testing';
import { type EventOps, type WindowOp, diffEventOps, metricOps } from './window-ops';
import { readAggregate } from './window-read';
import { WindowStore } from './window-store';

jest.setTimeout(60_000);

const T0 = 1_763_776_800_000;
const diff = (i: number, over: Partial<DiffEvent> = {}): DiffEvent =>
  diffEventSchema.parse({
    type: 'diff.v1',
    id: `e:${i}`,
    ts: T0 + i * 1000,
    experimentId: 'e',
    endpoint: 'GET /items/:id',
    slice: { tenant: i % 2 === 0 ? 'acme' : 'globex' },
    outcome: i % 4 === 0 ? 'mismatch' : 'match',
    statusMatch: true,
    status: { primary: 200, candidate: 200 },
    differences: i % 4 === 0 ? [{ path: `$.items[${i}].price`, kind: 'changed', primary: '1', candidate: '2' }] : [],
    latencyMs: { primary: 10 + i, candidate: 20 + i },
    ...over,
  });
const metric = (i: number, value: number, experimentId = 'e'): MetricObservation =>
  metricObservationSchema.parse({ type: 'metric.v1', id: `m${i}`, ts: T0 + i * 1000, experimentId, name: 'precision', value });

describe('WindowStore on a real redis-server', () => {
  let server: TestRedis;
  let redis: Redis | Cluster;
  const keys = { prefix: 'test:', windowMs: 10_000 };
  let store: WindowStore;

  beforeAll(async () => {
    server = await startRedisServer({ clusterable: true });
    redis = server.connect();
    store = new WindowStore(redis, { ...keys, retentionMs: 3_600_000, dedupeMs: 3_600_000, maxTopPaths: 100, maxExamples: 3 });
  });

  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('claims the marker once: the first proposal wins and every later one follows it', async () => {
    expect(await store.markedGroup()).toBeNull();
    expect(await store.claimMarker('group-a')).toEqual({ group: 'group-a', created: true });
    expect(await store.claimMarker('group-b')).toEqual({ group: 'group-a', created: false });
    expect(await store.markedGroup()).toBe('group-a');
  });

  it('refuses a batch whose float sums would overflow without writing anything, then applies the rest in full', async () => {
    const huge = (i: number): EventOps => ({ ...metricOps(metric(i, 1, 'ovf'), String(i), keys), id: `metric:huge${i}` });
    const overflowing = [huge(900), huge(901)].map((e): EventOps => ({ ...e, ops: e.ops.map((op): WindowOp => (op[0] === 'f' ? ['f', op[1], op[2], 1.5e308] : op)) }));
    const fine = metricOps(metric(902, 0.5, 'ovf'), '902', keys);
    const key = 'test:off:overflow';
    await expect(store.apply(key, [...overflowing, fine])).rejects.toMatchObject({ code: 'AGGREGATE_OVERFLOW', retriable: false });
    expect(await store.appliedOffset(key, 'ovf')).toBeUndefined();
    expect(await redis.exists('test:agg:{ovf}:seen:0:metric:m902', 'test:agg:{ovf}:seen:0:metric:huge900')).toBe(0);
    const before = await readAggregate(redis, keys, 'ovf');
    expect(before.metrics).toEqual({});
    // Narrowed to one event at a time, as the consumer does: the first huge one fits, the second is refused, the valid one lands.
    expect(await store.apply(key, [overflowing[0]!])).toBe(1);
    await expect(store.apply(key, [overflowing[1]!])).rejects.toMatchObject({ code: 'AGGREGATE_OVERFLOW' });
    expect(await store.apply(key, [fine])).toBe(1);
    expect(await store.appliedOffset(key, 'ovf')).toBe(902n);
  });

  it('counts an id repeated inside one batch once, the marker written with the rest', async () => {
    const a = metricOps(metric(950, 1, 'dupes'), '950', keys);
    expect(await store.apply('test:off:dupes', [a, { ...a, offset: '951' }])).toBe(1);
    expect(await redis.exists('test:agg:{dupes}:seen:0:metric:m950')).toBe(1);
  });

  it('applies a batch once, whatever is redelivered, and merges windows on read', async () => {
    const events = Array.from({ length: 40 }, (_, i) => diffEventOps(diff(i), String(i), keys, 0.01));
    expect(await store.apply('test:off:p0', events)).toBe(40);
    expect(await store.apply('test:off:p0', events)).toBe(0);
    expect(await store.apply('test:off:p0', events.slice(20))).toBe(0);
    const dup = [diffEventOps(diff(3), '41', keys, 0.01)];
    expect(await store.apply('test:off:p0', dup)).toBe(0);
    expect(await store.appliedOffset('test:off:p0', 'e')).toBe(41n);

    const all = await readAggregate(redis, keys, 'e');
    expect(all.windows).toBe(4);
    expect(all.counts).toMatchObject({ pairs: 40, match: 30, mismatch: 10 });
    expect(all.latency.primary.count).toBe(40);
    expect(Math.abs((all.latency.primary.quantile(0.5) as number) - 29)).toBeLessThanOrEqual(0.3);
    expect(all.topPaths[0]).toMatchObject({ endpoint: 'GET /items/:id', path: '$.items[*].price', count: 10 });
    expect(all.topPaths[0]?.examples.length).toBeGreaterThan(0);
    expect(all.topPaths[0]?.samples[0]).toEqual({ pairId: expect.stringMatching(/^e:\d+$/), primary: '1', candidate: '2' });

    const acme = await readAggregate(redis, keys, 'e', 'tenant=acme');
    expect(acme.counts.pairs).toBe(20);
    const firstWindow = await readAggregate(redis, keys, 'e', '*', T0, T0 + 10_000);
    expect(firstWindow.counts.pairs).toBe(10);
  });

  it('applies a batch spanning experiments once per experiment, when only some of them landed before the redelivery', async () => {
    const key = 'test:off:mixed';
    const a = (i: number) => metricOps(metric(i, 1, 'mixed-a'), String(i), keys);
    const b = (i: number) => metricOps(metric(i, 1, 'mixed-b'), String(i), keys);
    const overflowB: EventOps = { ...b(3), ops: b(3).ops.map((op): WindowOp => (op[0] === 'f' ? ['f', op[1], op[2], 1.5e308] : op)) };
    const huge = (e: EventOps): EventOps => ({ ...e, ops: e.ops.map((op): WindowOp => (op[0] === 'f' ? ['f', op[1], op[2], 1.5e308] : op)) });
    // Experiment a lands, b is refused: the batch as a whole fails, and its redelivery (with b fixed) counts a once and b once.
    await expect(store.apply(key, [a(1), huge(b(2)), a(3), overflowB])).rejects.toMatchObject({ code: 'AGGREGATE_OVERFLOW' });
    expect(await store.appliedOffset(key, 'mixed-a')).toBe(3n);
    expect(await store.appliedOffset(key, 'mixed-b')).toBeUndefined();
    expect(await store.apply(key, [a(1), b(2), a(3), b(3)])).toBe(2);
    expect(await store.apply(key, [a(1), b(2), a(3), b(3)])).toBe(0);
    expect((await readAggregate(redis, keys, 'mixed-a')).metrics['candidate:precision']?.count).toBe(2);
    expect((await readAggregate(redis, keys, 'mixed-b')).metrics['candidate:precision']?.count).toBe(2);
  });

  it('keeps metric summaries: count, sum, min, max and the latest value', async () => {
    const ops = [metric(1, 0.9), metric(5, 0.99), metric(3, 0.95)].map((m, i) => metricOps(m, String(i), keys));
    await store.apply('test:off:metrics', ops);
    const agg = await readAggregate(redis, keys, 'e');
    expect(agg.metrics['candidate:precision']).toEqual({ count: 3, sum: expect.closeTo(2.84, 6), min: 0.9, max: 0.99, last: 0.99 });
  });
});
