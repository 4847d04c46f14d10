import { otherSliceOf } from './slice-admission';
import { type EventOps } from './window-ops';
import { type DiffEvent, diffEventSchema } from '@penumbra/contracts';
import { type ConsumedRecord } from '@penumbra/kafka';
import { type AggregateInput, aggregateHandler } from './aggregate-handler';

const NOW = 1_763_776_800_000;
const diff = (ts: number, slice: Record<string, string> = {}): DiffEvent =>
  diffEventSchema.parse({
    slice,
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
      slices: { apply: async (events) => ({ events, refused: new Map() }) },
      sliceAlerts: { count: () => undefined },
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

  it('counts a slice refused by the cap in the (other) slice, and hands the refusals to the alerts', async () => {
    const applied: EventOps[] = [];
    const touched: string[] = [];
    const counted: Array<Map<string, number>> = [];
    const handler = aggregateHandler({
      group: 'g',
      store: { options: { prefix: 'p:', windowMs: 10_000 }, offsetKey: () => 'off', apply: async (_k, ops) => applied.push(...ops) },
      snapshots: { touch: (_e, sliceKey, slice) => void touched.push(`${sliceKey}=${JSON.stringify(slice)}`) },
      slices: {
        apply: async (events) => {
          const refused = new Map([['e', 1]]);
          return { events: events.map((e) => (e.slice['tenant'] === 'mallory' ? { ...e, slice: otherSliceOf(e.slice) } : e)), refused };
        },
      },
      sliceAlerts: { count: (refused) => void counted.push(refused) },
      histogramAlpha: 0.01,
      maxFutureSkewMs: 300_000,
      clock: () => NOW,
    });
    await handler([diff(NOW, { tenant: 'acme' }), diff(NOW, { tenant: 'mallory' })].map(consumed), { topic: 'diffs', partition: 0, signal: new AbortController().signal });
    expect(applied.flatMap((o) => o.windows.map((w) => w.sliceKey))).toEqual(['*', 'tenant=acme', '*', 'tenant=(other)']);
    expect(touched).toContain('tenant=(other)={"tenant":"(other)"}');
    expect(counted).toEqual([new Map([['e', 1]])]);
  });
});
