import fc from 'fast-check';
import { EARLY_SIDE_ODDS_RATIOS, FIRST_LOOK_SHARE, binomialAtMost, exactBound, exactTest, firstLookSamples, sideParts, splitTestBound, splitTestShows } from './first-look';
import { PLANNED_ODDS_RATIOS } from './threshold-test';
import { logGamma } from './confidence-sequence';

const pmf = (k: number, n: number, p: number) => Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p));

describe('the exact binomial look', () => {
  it('sums the binomial distribution exactly, from either end', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (n, p, share) => {
        const k = Math.floor(share * n);
        let direct = 0;
        for (let j = 0; j <= k; j += 1) direct += pmf(j, n, p);
        expect(binomialAtMost(k, n, p)).toBeCloseTo(Math.min(1, direct), 9);
      }),
      { numRuns: 300 },
    );
    expect(binomialAtMost(90, 100, 0.95)).toBeCloseTo(0.02819, 4);
    expect(binomialAtMost(-1, 10, 0.5)).toBe(0);
    expect(binomialAtMost(10, 10, 0.5)).toBe(1);
  });

  it('stays cheap and finite far into the tails of a large sample', () => {
    expect(binomialAtMost(900_000, 1_000_000, 0.95)).toBe(0);
    expect(binomialAtMost(951_000, 1_000_000, 0.95)).toBeGreaterThan(0.9);
  });

  it('rejects a true threshold in at most alpha of the outcomes (its size, computed exactly)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.double({ min: 0.001, max: 0.2, noNaN: true }), (n, t, alpha) => {
        for (const direction of ['below', 'above'] as const) {
          let size = 0;
          for (let s = 0; s <= n; s += 1) if (exactTest(s, n, t, alpha, direction)) size += pmf(s, n, t);
          expect(size).toBeLessThanOrEqual(alpha + 1e-9);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('decides a threshold exactly when its Clopper-Pearson bound has moved past it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (n, share, t) => {
        const s = Math.round(share * n);
        const upper = exactBound(s, n, 0.03, 'upper');
        const lower = exactBound(s, n, 0.03, 'lower');
        expect(lower).toBeLessThanOrEqual(s / n + 1e-9);
        expect(upper).toBeGreaterThanOrEqual(s / n - 1e-9);
        if (Math.abs(upper - t) > 1e-6) expect(exactTest(s, n, t, 0.03, 'below')).toBe(upper < t);
        if (Math.abs(lower - t) > 1e-6) expect(exactTest(s, n, t, 0.03, 'above')).toBe(lower > t);
      }),
      { numRuns: 300 },
    );
  });

  it('waits for five expected outcomes of the rarer kind at the threshold', () => {
    expect(firstLookSamples(0.95)).toBe(100);
    expect(firstLookSamples(0.05)).toBe(100);
    expect(firstLookSamples(0.99)).toBe(500);
    expect(firstLookSamples(0.5)).toBe(10);
    expect(firstLookSamples(1)).toBe(Infinity);
  });
});

describe('the test split between one early look and a sequential test', () => {
  const plan = { threshold: 0.95, alpha: 0.05, earlySide: 'below' as const };

  it('spends alpha1 on the look and the rest on the sequential test on the early side, and the whole alpha on the other', () => {
    const early = sideParts(plan, 'below');
    expect(early.lookAlpha).toBeCloseTo(FIRST_LOOK_SHARE * 0.05, 12);
    expect(early.lookAlpha + early.alpha).toBeCloseTo(0.05, 12);
    expect(early.ratios).toBe(EARLY_SIDE_ODDS_RATIOS);
    expect(sideParts(plan, 'above')).toEqual({ lookAlpha: 0, alpha: 0.05, ratios: PLANNED_ODDS_RATIOS });
  });

  it('decides 90 of 100 against 0.95 at the look, which no sequential test can at that size', () => {
    expect(splitTestShows(90, 100, { ...plan, look: undefined }, 'below')).toBe(false);
    expect(splitTestShows(90, 100, { ...plan, look: { successes: 90, trials: 100 } }, 'below')).toBe(true);
    // The look's verdict stands on later evaluations: it was one test, taken once.
    expect(splitTestShows(1_000, 1_050, { ...plan, look: { successes: 90, trials: 100 } }, 'below')).toBe(true);
    // A look on the early side decides nothing on the other.
    expect(splitTestShows(100, 100, { ...plan, look: { successes: 100, trials: 100 } }, 'above')).toBe(false);
  });

  it('does not decide on a look that did not reject, however the later counts look to an exact test', () => {
    const look = { successes: 95, trials: 100 };
    expect(exactTest(180, 200, 0.95, FIRST_LOOK_SHARE * 0.05, 'below')).toBe(true);
    expect(splitTestShows(180, 200, { ...plan, look }, 'below')).toBe(false);
  });

  it('reports a bound the threshold lies outside exactly when the combined test decided', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 3_000 }),
        fc.double({ min: 0.8, max: 1, noNaN: true }),
        fc.double({ min: 0.8, max: 1, noNaN: true }),
        fc.double({ min: 0.85, max: 0.99, noNaN: true }),
        (n, lookShare, share, t) => {
          const look = { successes: Math.round(lookShare * 100), trials: 100 };
          const s = Math.round(share * n);
          const upper = splitTestBound(s, n, { ...plan, look }, 'upper');
          expect(upper).toBeLessThanOrEqual(exactBound(look.successes, 100, FIRST_LOOK_SHARE * 0.05, 'upper') + 1e-12);
          if (Math.abs(upper - t) > 1e-6) expect(splitTestShows(s, n, { ...plan, threshold: t, look }, 'below')).toBe(upper < t);
        },
      ),
      { numRuns: 200 },
    );
  });
});
