import { jsonPair } from '@penumbra/kafka-testing';
import { comparePair, compareConfigOf } from './compare-pair';

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
