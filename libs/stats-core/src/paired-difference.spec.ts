import fc from 'fast-check';
import { binomial, cells } from './noise-simulation';
import {
  BET_SHARES,
  EMPTY_COUNTS,
  addPair,
  assertCounts,
  excessBound,
  excessConfidenceSequence,
  logExcessEvidence,
  logRegressionEvidence,
  mergeCounts,
  pairsToDecide,
  type PairCounts,
} from './paired-difference';
import { seededRandom } from './seeded-random';

const counts = (n: number, candidateOnly: number, secondaryOnly: number, both = 0): PairCounts => ({ n, candidateOnly, secondaryOnly, both });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('the paired regression e-process', () => {
  it('has e-value 1 without discordant pairs, however many pairs agree or both differ', () => {
    expect(logRegressionEvidence(EMPTY_COUNTS)).toBe(0);
    expect(logRegressionEvidence(counts(10, 0, 0, 10))).toBeCloseTo(0, 12);
    expect(logRegressionEvidence(counts(1e12, 0, 0, 5e11))).toBeCloseTo(0, 12);
  });

  it('is the average over its bets of (1 + c)^candidate-only (1 - c)^secondary-only', () => {
    for (const [up, down] of [
      [5, 0],
      [0, 5],
      [7, 3],
      [40, 0],
    ] as const) {
      const expected = mean(BET_SHARES.map((c) => (1 + c) ** up * (1 - c) ** down));
      expect(logRegressionEvidence(counts(100, up, down))).toBeCloseTo(Math.log(expected), 10);
    }
  });

  it('grows without bound when every pair is candidate-only, and falls when every pair is secondary-only', () => {
    expect(logRegressionEvidence(counts(1000, 1000, 0))).toBeGreaterThan(600);
    expect(logRegressionEvidence(counts(1e9, 1e9, 0))).toBeGreaterThan(6e8);
    expect(logRegressionEvidence(counts(1000, 0, 1000))).toBeLessThan(-1);
  });

  it('stays finite and exact in logs for huge counts', () => {
    const c = counts(1e12, 6e9, 5e9, 1e9);
    expect(Number.isFinite(logRegressionEvidence(c))).toBe(true);
    const cs = excessConfidenceSequence(c, 0.05);
    expect(cs.estimate).toBeCloseTo(0.001, 12);
    expect(cs.lower).toBeGreaterThan(0.00099);
    expect(cs.upper).toBeLessThan(0.00101);
  });

  it('refuses invalid input', () => {
    for (const bad of [counts(-1, 0, 0), counts(1.5, 0, 0), counts(10, Number.NaN, 0), counts(10, 6, 5), counts(10, 0, 0, 11), counts(Infinity, 0, 0)]) {
      expect(() => assertCounts(bad)).toThrow(RangeError);
      expect(() => logRegressionEvidence(bad)).toThrow(RangeError);
    }
    expect(() => logExcessEvidence(counts(10, 1, 1), 1, 'below')).toThrow(RangeError);
    expect(() => logExcessEvidence(counts(10, 1, 1), -1, 'above')).toThrow(RangeError);
    expect(() => excessConfidenceSequence(counts(10, 1, 1), 0)).toThrow(RangeError);
    expect(() => excessConfidenceSequence(counts(10, 1, 1), 1)).toThrow(RangeError);
    expect(() => pairsToDecide(counts(10, 1, 1), { logTarget: 3, delta: 0, alpha: 0.05 })).toThrow(RangeError);
  });

  it('keeps its statistics mergeable: counting pair by pair equals merging the counts', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.boolean()), { maxLength: 200 }), fc.nat({ max: 200 }), (pairs, cut) => {
        const count = (ps: Array<[boolean, boolean]>) => ps.reduce((c, [a, b]) => addPair(c, a, b), EMPTY_COUNTS);
        const whole = count(pairs);
        expect(mergeCounts(count(pairs.slice(0, cut)), count(pairs.slice(cut)))).toEqual(whole);
        expect(whole.n).toBe(pairs.length);
      }),
    );
  });
});

describe('the confidence sequence for the excess difference rate', () => {
  it('knows nothing without pairs, and always contains the estimate', () => {
    expect(excessConfidenceSequence(EMPTY_COUNTS, 0.05)).toMatchObject({ lower: -1, upper: 1 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e7 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (n, a, b) => {
        const up = Math.floor(a * n);
        const down = Math.floor(b * (n - up));
        const cs = excessConfidenceSequence(counts(n, up, down), 0.05);
        expect(cs.lower).toBeLessThanOrEqual(cs.estimate + 1e-12);
        expect(cs.upper).toBeGreaterThanOrEqual(cs.estimate - 1e-12);
        expect(cs.lower).toBeGreaterThanOrEqual(-1);
        expect(cs.upper).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('puts its lower bound above 0 exactly when the regression test at the same level has decided', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.nat({ max: 300 }), fc.nat({ max: 300 }), (n, up, down) => {
        fc.pre(up + down <= n);
        const c = counts(n, up, down);
        const decided = logRegressionEvidence(c) >= Math.log(20);
        expect(excessBound(c, 0.05, 'lower') > 0).toBe(decided);
      }),
    );
  });

  it('bounds a path that never differs below 0.001 after about 5,800 pairs', () => {
    expect(excessBound(counts(5_000, 0, 0), 0.05, 'upper')).toBeGreaterThan(0.001);
    expect(excessBound(counts(6_000, 0, 0), 0.05, 'upper')).toBeLessThan(0.001);
  });

  it('covers the true excess at every look at once in at least 95% of runs, and the regression test errs at most 5% of the time under the null', () => {
    const rng = seededRandom(7);
    const runs = 400;
    let missed = 0;
    let falseAlarms = 0;
    for (let r = 0; r < runs; r += 1) {
      // An A/A path (equal rates, excess 0) or a path where the candidate differs less.
      const { p10, p01 } = r % 2 === 0 ? cells(0.05, 0) : { p10: 0.01, p01: 0.02 };
      const truth = p10 - p01;
      let c = EMPTY_COUNTS;
      let miss = false;
      let alarm = false;
      for (let look = 0; look < 100 && !(miss && alarm); look += 1) {
        const up = binomial(rng, 200, p10);
        const down = binomial(rng, 200 - up, p01 / (1 - p10));
        c = mergeCounts(c, counts(200, up, down));
        // The sequence excludes the truth exactly when a side's test at the truth has decided.
        miss ||= logExcessEvidence(c, truth, 'below') >= Math.log(20) || logExcessEvidence(c, truth, 'above') >= Math.log(20);
        alarm ||= logRegressionEvidence(c) >= Math.log(20);
      }
      if (miss) missed += 1;
      if (alarm) falseAlarms += 1;
    }
    // Each side errs at most 5%; the sample of 400 runs allows about 2 standard errors more.
    expect(missed / runs).toBeLessThan(0.1 + 0.03);
    expect(falseAlarms / runs).toBeLessThan(0.05 + 0.025);
  });
});

describe('pairs to decide', () => {
  it('is undefined without pairs, and otherwise a count the scaled data decide at', () => {
    const options = { logTarget: Math.log(4000), delta: 0.001, alpha: 0.05 };
    expect(pairsToDecide(EMPTY_COUNTS, options)).toBeUndefined();
    const regression = pairsToDecide(counts(10_000, 60, 40), options) as number;
    expect(regression).toBeGreaterThan(10_000);
    expect(logRegressionEvidence(counts(regression, Math.round(0.006 * regression), Math.round(0.004 * regression)))).toBeGreaterThanOrEqual(Math.log(4000));
    const quiet = pairsToDecide(counts(1_000, 0, 0), options) as number;
    expect(excessBound(counts(quiet, 0, 0), 0.05, 'upper')).toBeLessThan(0.001);
    expect(excessBound(counts(Math.floor(quiet * 0.9), 0, 0), 0.05, 'upper')).toBeGreaterThan(0.001);
    expect(pairsToDecide(counts(1_000, 0, 0), { ...options, limit: 2_000 })).toBeUndefined();
  });
});
