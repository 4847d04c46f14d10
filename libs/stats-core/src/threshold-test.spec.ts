import fc from 'fast-check';
import { seededRandom } from './seeded-random';
import { alternativesOf, fixedHorizonSamples, logThresholdEvidence, samplesToDecideThreshold, thresholdBound, thresholdTest } from './threshold-test';

describe('the threshold test', () => {
  it('bets on alternatives at the planned odds ratios either side of the threshold', () => {
    const below = alternativesOf(0.95, 'below').map((a) => a.q);
    const above = alternativesOf(0.95, 'above').map((a) => a.q);
    expect(below[0]).toBeCloseTo(0.9314, 3);
    expect(below[1]).toBeCloseTo(0.9048, 3);
    expect(above[0]).toBeCloseTo(0.9638, 3);
    expect(above[1]).toBeCloseTo(0.9744, 3);
  });

  it('knows nothing without samples, and is certain at a threshold of 0 or 1 once one sample lies beyond it', () => {
    expect(thresholdTest(0, 0, 0.95, 0.05)).toMatchObject({ below: false, above: false });
    expect(thresholdTest(1, 1, 0, 0.05).above).toBe(true);
    expect(thresholdTest(0, 100, 0, 0.05)).toMatchObject({ below: false, above: false });
    expect(thresholdTest(99, 100, 1, 0.05).below).toBe(true);
  });

  it('decides a threshold exactly when the bound on that side has moved past it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (n, share, t) => {
        const s = Math.round(share * n);
        const test = thresholdTest(s, n, t, 0.05);
        const upper = thresholdBound(s, n, 0.05, 'upper');
        const lower = thresholdBound(s, n, 0.05, 'lower');
        expect(lower).toBeLessThanOrEqual(s / n + 1e-9);
        expect(upper).toBeGreaterThanOrEqual(s / n - 1e-9);
        if (Math.abs(upper - t) > 1e-6) expect(test.below).toBe(upper < t);
        if (Math.abs(lower - t) > 1e-6) expect(test.above).toBe(lower > t);
      }),
      { numRuns: 300 },
    );
  });

  it('grows its evidence monotonically with the distance of the threshold from the estimate', () => {
    for (const [s, n] of [
      [90, 100],
      [950, 1_000],
      [3, 40],
    ] as const) {
      let prev = -Infinity;
      for (let t = s / n + 0.001; t < 1; t += 0.001) {
        const e = logThresholdEvidence(s, n, t, 'below');
        expect(e).toBeGreaterThanOrEqual(prev - 1e-9);
        prev = e;
      }
    }
  });

  it('wrongly shows a rate below its threshold in at most alpha of 1,000 streams looked at after every sample', () => {
    const random = seededRandom(3);
    let wrong = 0;
    for (let run = 0; run < 1_000; run += 1) {
      let s = 0;
      for (let n = 1; n <= 3_000; n += 1) {
        if (random() < 0.95) s += 1;
        if (thresholdTest(s, n, 0.95, 0.05).below) {
          wrong += 1;
          break;
        }
      }
    }
    expect(wrong / 1_000).toBeLessThanOrEqual(0.05);
  });

  it('estimates, within 5%, how many samples in all would decide', () => {
    const needed = samplesToDecideThreshold(90, 100, 0.95, 0.05) as number;
    expect(needed).toBeGreaterThan(100);
    expect(thresholdTest(0.9 * needed, needed, 0.95, 0.05).below).toBe(true);
    expect(thresholdTest(0.9 * Math.floor(needed * 0.94), Math.floor(needed * 0.94), 0.95, 0.05).below).toBe(false);
    expect(samplesToDecideThreshold(95, 100, 0.95, 0.05)).toBeUndefined();
  });

  it('gives the textbook one-sided fixed-horizon sample sizes', () => {
    expect(fixedHorizonSamples(0.95, 0.9, 0.05, 0.8)).toBe(150);
    expect(fixedHorizonSamples(0.95, 0.93, 0.05, 0.8)).toBe(822);
    expect(fixedHorizonSamples(0.95, 0.97, 0.05, 0.8)).toBe(631);
  });
});
