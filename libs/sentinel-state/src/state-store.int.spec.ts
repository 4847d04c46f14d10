import { type Cluster, type Redis } from 'ioredis';
import { initialSliceState } from '@penumbra/policy-core';
import { type TestRedis, startRedisServer } from '@penumbra/testing';
import { SentinelStateStore } from './state-store';

jest.setTimeout(30_000);

describe('SentinelStateStore on a real redis-server', () => {
  let server: TestRedis;
  let redis: Redis | Cluster;
  let store: SentinelStateStore;

  beforeAll(async () => {
    server = await startRedisServer({ clusterable: true });
    redis = server.connect();
    store = new SentinelStateStore(redis, 'test:');
  });

  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('writes a slice only when the version it read is still the stored one', async () => {
    const first = initialSliceState(1);
    expect(await store.compareAndSet('e', '*', undefined, first, [])).toBe(true);
    expect(await store.compareAndSet('e', '*', undefined, first, [])).toBe(false);
    const next = { ...first, version: 1, stageIndex: 1 };
    expect(await store.compareAndSet('e', '*', 0, next, [{ topic: 't', key: 'e', value: 'cmd' }], 'req-1')).toBe(true);
    expect(await store.compareAndSet('e', '*', 0, { ...next, stageIndex: 2 }, [])).toBe(false);
    expect(await store.load('e', '*')).toEqual({ state: next, outbox: [{ topic: 't', key: 'e', value: 'cmd' }] });
    expect(await store.seen('req-1', 'e')).toBe(true);
    expect(await store.slicesOf('e')).toEqual(['*']);
  });

  it("keeps each rate test's early look across loads, and reads a state stored without looks as having taken none", async () => {
    const looked = { ...initialSliceState(1), firstLooks: [{ test: 'promotion:matchRate >= 0.95 @0.95', successes: 95, trials: 100 }] };
    expect(await store.compareAndSet('looks', '*', undefined, looked, [])).toBe(true);
    expect((await store.load('looks', '*'))?.state.firstLooks).toEqual(looked.firstLooks);
    const older: Record<string, unknown> = { ...initialSliceState(1) };
    delete older['firstLooks'];
    delete older['firstLooksLost'];
    await redis.hset('test:sentinel:{older}:slice:*', 'state', JSON.stringify(older));
    expect((await store.load('older', '*'))?.state).toMatchObject({ firstLooks: [], firstLooksLost: false });
  });

  it('clears an outbox only if it is still the one that was sent', async () => {
    const state = initialSliceState(1);
    await store.compareAndSet('f', 'tenant=a', undefined, state, [{ topic: 't', key: 'f', value: 'one' }]);
    await store.clearOutbox('f', 'tenant=a', [{ topic: 't', key: 'f', value: 'other' }]);
    expect((await store.load('f', 'tenant=a'))?.outbox).toHaveLength(1);
    await store.clearOutbox('f', 'tenant=a', [{ topic: 't', key: 'f', value: 'one' }]);
    expect((await store.load('f', 'tenant=a'))?.outbox).toEqual([]);
  });

  it('counts fleet-wide promotions in a window and finds overdue acknowledgements', async () => {
    await store.recordPromotion('c1', 1_000);
    await store.recordPromotion('c2', 5_000);
    expect(await store.promotionsSince(2_000)).toBe(1);
    await store.recordPromotion('e:tenant=a:x->y:v0', 6_000, { experimentId: 'e', slice: 'tenant=a' });
    await store.recordPromotion('e:tenant=b:x->y:v0', 7_000, { experimentId: 'e', slice: 'tenant=b' });
    expect(await store.promotionsSince(2_000)).toBe(3);
    expect(await store.experimentPromotionsSince('e', 6_500)).toEqual([{ slice: 'tenant=b', at: 7_000 }]);
    expect(await store.experimentPromotionsSince('other', 0)).toEqual([]);
    await store.expectAck('c1', 'e', 10);
    await store.expectAck('c2', 'e', 10_000);
    expect(await store.overdueAcks(100)).toEqual([{ commandId: 'c1', experimentId: 'e' }]);
    await store.acknowledged('c1');
    expect(await store.overdueAcks(100)).toEqual([]);
  });
});
