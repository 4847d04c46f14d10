import { type MergedAggregate, type readAggregate, emptyCounts } from './window-read';
import { type OutgoingMessage, type ProducerPort } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { type RedisClient } from '@penumbra/redis';
import { LogHistogram } from '@penumbra/stats-core';
import { SnapshotScheduler } from './snapshot-scheduler';

const keys = { prefix: 't:', windowMs: 10_000 };

const merged = (experimentId: string, sliceKey: string): MergedAggregate => ({
  experimentId,
  sliceKey,
  from: 0,
  to: 10_000,
  windows: 1,
  counts: { ...emptyCounts(), pairs: 1, match: 1 },
  latency: { primary: new LogHistogram(0.01), candidate: new LogHistogram(0.01), secondary: new LogHistogram(0.01) },
  topPaths: [],
  metrics: {},
  lastTs: new Map(),
});

function setup(maxTracked: number) {
  const sent: OutgoingMessage[] = [];
  const producer: ProducerPort = { send: async (m) => void sent.push(...m), disconnect: async () => undefined };
  const read: typeof readAggregate = async (_redis, _keys, experimentId, sliceKey = '*') => {
    if (experimentId === 'broken') throw new RangeError('sum is Infinity');
    return merged(experimentId, sliceKey);
  };
  const redis = { status: 'ready' } as unknown as RedisClient;
  const scheduler = new SnapshotScheduler({ redis, keys, producer, topic: 'aggregates', alertsTopic: 'alerts', logger: silentLogger, maxTracked, read, retentionMs: 60_000 });
  const on = (topic: string) => sent.filter((m) => m.topic === topic).map((m) => JSON.parse(String(m.value)));
  return { scheduler, sent, on };
}

describe('SnapshotScheduler', () => {
  it('alerts once about a window it cannot snapshot and still publishes the others', async () => {
    const { scheduler, on } = setup(100);
    scheduler.touch('broken', '*', {}, 0);
    scheduler.touch('fine', '*', {}, 0);
    expect(await scheduler.tick(5_000)).toBe(1);
    expect(await scheduler.tick(20_000)).toBe(1);
    expect(on('aggregates').map((s) => [s.experimentId, s.window.closed])).toEqual([
      ['fine', false],
      ['fine', true],
    ]);
    expect(on('alerts')).toEqual([expect.objectContaining({ kind: 'snapshot-failed', experimentId: 'broken' })]);
    expect(scheduler.tracked).toBe(0);
  });

  it('alerts when the tracked-window cap is hit instead of ignoring new windows silently', async () => {
    const { scheduler, on } = setup(2);
    for (let i = 0; i < 5; i += 1) scheduler.touch(`e${i}`, '*', {}, 0);
    await scheduler.tick(5_000);
    await scheduler.tick(6_000);
    expect(scheduler.tracked).toBe(2);
    expect(on('alerts')).toEqual([expect.objectContaining({ kind: 'cap-reached', details: { cap: 2, untracked: 3 } })]);
  });
});
