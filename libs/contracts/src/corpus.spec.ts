import fc from 'fast-check';
import { corpusEntrySchema, corpusKey } from './corpus';

const entry = {
  type: 'corpus.v1',
  service: 'shop',
  endpoint: 'GET /orders/:id',
  path: '$.data.total',
  reason: 'rollback',
  experimentId: 'shop-v2',
  savedAt: 1_800_000_000_000,
  requests: [{ trafficId: 't1', capturedAt: 1_799_999_999_000, request: { method: 'GET', path: '/orders/1' } }],
};

describe('corpus records', () => {
  it('accepts a record and fills the request defaults', () => {
    const parsed = corpusEntrySchema.parse(entry);
    expect(parsed.requests[0]?.request).toEqual({ method: 'GET', path: '/orders/1', query: '', headers: {} });
  });

  it('refuses an empty or oversized request list and an unknown reason', () => {
    expect(corpusEntrySchema.safeParse({ ...entry, requests: [] }).success).toBe(false);
    expect(corpusEntrySchema.safeParse({ ...entry, requests: Array.from({ length: 21 }, () => entry.requests[0]) }).success).toBe(false);
    expect(corpusEntrySchema.safeParse({ ...entry, reason: 'whim' }).success).toBe(false);
  });

  it('never throws on hostile input, and keys never collide across different triples', () => {
    fc.assert(fc.property(fc.anything(), (v) => void corpusEntrySchema.safeParse(v)));
    fc.assert(
      fc.property(fc.tuple(fc.string(), fc.string(), fc.string()), fc.tuple(fc.string(), fc.string(), fc.string()), (a, b) => {
        if (a.join('\u0000') !== b.join('\u0000')) expect(corpusKey(...a)).not.toBe(corpusKey(...b));
      }),
    );
  });
});
