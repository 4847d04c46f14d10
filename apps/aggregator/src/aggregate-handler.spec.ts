import { type EventOps } from '@penumbra/aggregates';
import { type DiffEvent, diffEventSchema } from '@penumbra/contracts';
import { type ConsumedRecord } from '@penumbra/kafka';
import { type AggregateInput, aggregateHandler } from './aggregate-handler';

const NOW = 1_763_776_800_000;
const diff = (ts: number): DiffEvent =>
  diffEventSchema.parse({
    type: 'diff.v1',
    id: `e:${ts}`,
    ts,
    experimentId: 'e',
    endpoint: 'GET /',
    outcome: 'match',
    statusMatch: true,
    status: { primary: 200 },
    latencyMs: { primary: 5 },
  });
const consumed = (value: AggregateInput, offset: number): ConsumedRecord<AggregateInput> => ({
  value,
  key: null,
  topic: 'diffs',
  partition: 0,
  offset: String(offset),
  timestamp: 0,
  headers: {},
  source: { topic: 'diffs', partition: 0, offset: String(offset), timestamp: '0', key: null, value: null, headers: {} },
});

describe('aggregateHandler', () => {
  it('dead-letters timestamps outside the skew window and applies the rest', async () => {
    const applied: EventOps[] = [];
    const handler = aggregateHandler({
      group: 'g',
      store: { options: { prefix: 'p:', windowMs: 10_000 }, offsetKey: () => 'off', apply: async (_k, ops) => applied.push(...ops) },
      snapshots: { touch: () => undefined },
      histogramAlpha: 0.01,
      maxFutureSkewMs: 300_000,
      maxAgeMs: 3_600_000,
      clock: () => NOW,
    });
    const records = [diff(NOW), diff(2 ** 53 - 1), diff(NOW + 300_001), diff(NOW - 3_600_001), diff(NOW - 1000)].map(consumed);
    const outcome = await handler(records, { topic: 'diffs', partition: 0, signal: new AbortController().signal });
    expect(applied.map((o) => o.offset)).toEqual(['0', '4']);
    expect(outcome).toEqual({
      rejected: [
        { offset: '1', errorClass: 'skew', reason: expect.stringMatching(/ahead of now/) },
        { offset: '2', errorClass: 'skew', reason: expect.stringMatching(/ahead of now/) },
        { offset: '3', errorClass: 'skew', reason: expect.stringMatching(/older than/) },
      ],
    });
  });
});
