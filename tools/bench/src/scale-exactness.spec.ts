import { checkExactlyOnce, checkTotals, scaleGain } from './scale-exactness';

describe('checkExactlyOnce', () => {
  it('is exact when every fed id came out once', () => {
    expect(checkExactlyOnce(['a', 'b', 'c'], ['c', 'a', 'b'])).toEqual({ exact: true, expected: 3, seen: 3, missing: [], duplicated: [], unexpected: [] });
  });

  it('names what was lost, counted twice or never fed', () => {
    const r = checkExactlyOnce(['a', 'b', 'c'], ['a', 'a', 'b', 'z']);
    expect(r.exact).toBe(false);
    expect(r.missing).toEqual(['c']);
    expect(r.duplicated).toEqual([{ id: 'a', times: 2 }]);
    expect(r.unexpected).toEqual(['z']);
    expect(r.seen).toBe(4);
  });
});

describe('checkTotals', () => {
  it('is exact only when every total matches', () => {
    expect(checkTotals({ pairs: 10, mismatches: 1 }, { pairs: 10, mismatches: 1 }).exact).toBe(true);
    expect(checkTotals({ pairs: 10 }, { pairs: 11, errors: 1 })).toEqual({
      exact: false,
      differences: { pairs: { fed: 10, counted: 11 }, errors: { fed: 0, counted: 1 } },
    });
  });
});

describe('scaleGain', () => {
  it('gives the speed-up and what one added core brought', () => {
    expect(scaleGain(1000, 1500, 2)).toEqual({ speedUp: 1.5, perAddedCore: 0.5 });
    expect(scaleGain(1000, 900, 1).perAddedCore).toBeCloseTo(-0.1, 10);
  });
});
