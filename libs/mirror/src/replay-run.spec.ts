import { type TrafficRecord, trafficRecordSchema } from '@penumbra/contracts';
import { type AdminPort, type BatchContext, type BatchHandler, type ConsumedRecord } from '@penumbra/kafka';
import { ReplayPacer } from '@penumbra/mirror-core';
import { pacedReplayHandler, planReplay } from './replay-run';

const rec = (offset: number, ts: number): ConsumedRecord<TrafficRecord> => {
  const value = trafficRecordSchema.parse({
    type: 'traffic.v1',
    id: `t${offset}`,
    ts,
    service: 's',
    request: { method: 'GET', path: '/a' },
    response: { status: 200, latencyMs: 1 },
  });
  return {
    value,
    key: null,
    topic: 'traffic',
    partition: 0,
    offset: String(offset),
    timestamp: ts,
    headers: {},
    source: { topic: 'traffic', partition: 0, offset: String(offset), timestamp: String(ts), key: null, value: null, headers: {} },
  };
};
const context: BatchContext = { topic: 'traffic', partition: 0, signal: new AbortController().signal };

describe('pacedReplayHandler', () => {
  it('hands records on at their due times, those due together in one call, and never past the window', async () => {
    let now = 0;
    const calls: Array<{ at: number; offsets: string[] }> = [];
    const inner: BatchHandler<TrafficRecord> = async (records) => {
      calls.push({ at: now, offsets: records.map((r) => r.offset) });
    };
    const pacer = new ReplayPacer({ kind: 'speed', factor: 10 }, 0, 0);
    const handler = pacedReplayHandler(
      inner,
      [{ partition: 0, start: 0n, end: 4n }],
      pacer,
      () => now,
      async (ms) => {
        now += ms;
      },
    );
    await handler([rec(0, 0), rec(1, 0), rec(2, 5_000), rec(3, 10_000), rec(4, 10_000)], context);
    expect(calls).toEqual([
      { at: 0, offsets: ['0', '1'] },
      { at: 500, offsets: ['2'] },
      { at: 1_000, offsets: ['3'] },
    ]);
  });

  it('passes on what the inner handler rejected', async () => {
    const inner: BatchHandler<TrafficRecord> = async (records) => ({ rejected: records.map((r) => ({ offset: r.offset, reason: 'bad' })) });
    const handler = pacedReplayHandler(
      inner,
      [{ partition: 0, start: 0n, end: 10n }],
      new ReplayPacer({ kind: 'caps' }, 0, 0),
      () => 0,
      async () => undefined,
    );
    expect(await handler([rec(0, 0), rec(1, 0)], context)).toEqual({
      rejected: [
        { offset: '0', reason: 'bad' },
        { offset: '1', reason: 'bad' },
      ],
    });
  });
});

describe('planReplay', () => {
  it('takes each partition from the first offset at the start time to the first at the end time', async () => {
    const unused = () => Promise.reject(new Error('unused'));
    const admin: AdminPort = {
      listTopics: unused,
      createTopics: unused,
      describeTopics: unused,
      setTopicConfigs: unused,
      deleteTopics: unused,
      topicOffsets: unused,
      groupOffsets: unused,
      resetGroupToEarliest: unused,
      setGroupOffsets: unused,
      brokerCount: unused,
      disconnect: async () => undefined,
      offsetsAtTime: async (_topic, ts) =>
        ts === 100
          ? [
              { partition: 1, offset: '7' },
              { partition: 0, offset: '3' },
            ]
          : [
              { partition: 0, offset: '10' },
              { partition: 1, offset: '7' },
            ],
    };
    expect(await planReplay(admin, 'traffic', { from: 100, to: 200 })).toEqual([
      { partition: 0, start: 3n, end: 10n },
      { partition: 1, start: 7n, end: 7n },
    ]);
  });
});
