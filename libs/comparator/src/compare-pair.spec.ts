import { jsonPair } from '@penumbra/kafka-testing';
import { type Pair } from '@penumbra/contracts';
import { comparePair, compareConfigOf, diffEventOf } from './compare-pair';

const nested = (depth: number, leaf: unknown): unknown => {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i += 1) v = { a: v };
  return v;
};

describe('comparePair and COMPARATOR_MAX_JSON_DEPTH', () => {
  it('compares bodies within the configured depth', () => {
    const pair = jsonPair('e', 't', { primary: nested(8, 1), candidate: nested(8, 2) });
    expect(comparePair(pair, compareConfigOf(undefined, 1_000_000, 20))).toMatchObject({ outcome: 'compared', differences: [{ kind: 'changed' }] });
  });

  it('reports a body deeper than the configured depth as too large instead of comparing it', () => {
    const pair = jsonPair('e', 't', { primary: nested(30, 1), candidate: nested(30, 2) });
    expect(comparePair(pair, compareConfigOf(undefined, 1_000_000, 20)).outcome).toBe('too_large');
    expect(comparePair(pair, compareConfigOf(undefined, 1_000_000)).outcome).toBe('compared');
  });
});

describe('comparePair with truncated bodies', () => {
  const config = compareConfigOf(undefined, 1_000_000);
  const cut = (pair: Pair, sides: Array<'primary' | 'candidate'>, sha256?: { primary?: string; candidate?: string }): Pair => {
    const body = (b: NonNullable<Pair['primary']['body']>, side: 'primary' | 'candidate') => ({ ...b, truncated: true, ...(sha256?.[side] ? { sha256: sha256[side] } : {}) });
    const candidate =
      pair.candidate.ok && pair.candidate.response.body && sides.includes('candidate')
        ? { ok: true as const, response: { ...pair.candidate.response, body: body(pair.candidate.response.body, 'candidate') } }
        : pair.candidate;
    const primary = pair.primary.body && sides.includes('primary') ? { ...pair.primary, body: body(pair.primary.body, 'primary') } : pair.primary;
    return { ...pair, primary, candidate, truncated: sides };
  };

  it('calls a comparison with a truncated side unknown, neither a match nor a mismatch', () => {
    const differing = cut(jsonPair('e', 't', { primary: { a: 1 }, candidate: { a: 2 } }), ['primary']);
    const c = comparePair(differing, config);
    expect(c.outcome).toBe('unknown');
    expect(diffEventOf(c, [], [], [], 1).outcome).toBe('unknown');
    expect(comparePair(cut(jsonPair('e', 't', { primary: { a: 1 }, candidate: { a: 1 } }), ['candidate']), config).outcome).toBe('unknown');
  });

  it('also reads the flag on the body of a pair written before the pair-level field', () => {
    const pair = cut(jsonPair('e', 't', { primary: { a: 1 }, candidate: { a: 1 } }), ['primary']);
    expect(comparePair({ ...pair, truncated: undefined }, config).outcome).toBe('unknown');
  });

  it('compares status and headers when both bodies were cut and their digests are equal', () => {
    const digest = 'a'.repeat(64);
    const pair = cut(jsonPair('e', 't', { primary: { a: 1 }, candidate: { a: 2 } }), ['primary', 'candidate'], { primary: digest, candidate: digest });
    expect(comparePair(pair, config)).toMatchObject({ outcome: 'compared', differences: [] });
    const other = cut(jsonPair('e', 't', { primary: { a: 1 }, candidate: { a: 2 } }), ['primary', 'candidate'], { primary: digest, candidate: 'b'.repeat(64) });
    expect(comparePair(other, config).outcome).toBe('unknown');
  });

  it('still reports a candidate error first', () => {
    const pair = cut(jsonPair('e', 't', { primary: { a: 1 }, candidate: { error: 'timeout' } }), ['primary']);
    expect(comparePair(pair, config).outcome).toBe('candidate_error');
  });
});

describe('the paired indicators of a pair with a secondary', () => {
  const config = compareConfigOf(undefined, 1_000_000);

  it('carries every path where the candidate, and the secondary, differed from the primary', () => {
    const pair = jsonPair('e', 't', {
      primary: { price: 1, ts: 1, items: [{ a: 1 }] },
      candidate: { price: 2, ts: 2, items: [{ a: 1 }] },
      secondary: { price: 1, ts: 3, items: [{ a: 9 }] },
    });
    const event = diffEventOf(comparePair(pair, config), [], [], [], 1);
    expect(event.paired).toEqual({ candidate: ['$.price', '$.ts'], secondary: ['$.ts', '$.items[*].a'], incomplete: false });
  });

  it('carries none without a secondary, and marks the indicators incomplete when differences were left out', () => {
    expect(diffEventOf(comparePair(jsonPair('e', 't', { primary: { a: 1 }, candidate: { a: 2 } }), config), [], [], [], 1).paired).toBeUndefined();
    const wide = (v: number) => Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`k${i}`, v]));
    const event = diffEventOf(comparePair(jsonPair('e', 't', { primary: wide(1), candidate: wide(2), secondary: wide(1) }), config), [], [], [], 1);
    expect(event.paired?.incomplete).toBe(true);
    expect(event.paired?.candidate.length).toBeLessThanOrEqual(200);
  });
});
