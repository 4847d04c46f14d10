import fc from 'fast-check';
import { seededRandom } from './seeded-random';
import { logGamma, normalQuantile, rateConfidenceSequence, samplesToDecide, wilsonInterval } from './confidence-sequence';

describe('logGamma', () => {
  it('matches factorials and Γ(1/2)', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 10);
    expect(logGamma(11)).toBeCloseTo(Math.log(3_628_800), 9);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
  });
});

describe('normalQuantile', () => {
  it('gives the familiar z values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 10);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829, 5);
  });
});

describe('rateConfidenceSequence', () => {
  it('contains the estimate, stays in [0, 1] and is wider than a one-look interval', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0.01, 0.05, 0.1), (n, share, alpha) => {
        const s = Math.round(share * n);
        const cs = rateConfidenceSequence(s, n, alpha);
        const w = wilsonInterval(s, n, alpha);
        expect(cs.lower).toBeGreaterThanOrEqual(0);
        expect(cs.upper).toBeLessThanOrEqual(1);
        expect(cs.lower).toBeLessThanOrEqual(cs.estimate + 1e-12);
        expect(cs.upper).toBeGreaterThanOrEqual(cs.estimate - 1e-12);
        expect(cs.upper - cs.lower).toBeGreaterThanOrEqual(w.upper - w.lower - 1e-9);
      }),
      { numRuns: 300 },
    );
  });

  it('narrows as samples grow at the same rate', () => {
    const widths = [100, 1_000, 10_000, 100_000].map((n) => {
      const b = rateConfidenceSequence(0.95 * n, n, 0.05);
      return b.upper - b.lower;
    });
    for (let i = 1; i < widths.length; i += 1) expect(widths[i]).toBeLessThan(widths[i - 1] as number);
    expect(widths[3]).toBeLessThan(0.01);
  });

  it('knows nothing without samples, and pins the edges at 0 and 1', () => {
    expect(rateConfidenceSequence(0, 0, 0.05)).toMatchObject({ lower: 0, upper: 1 });
    expect(rateConfidenceSequence(0, 50, 0.05).lower).toBe(0);
    expect(rateConfidenceSequence(50, 50, 0.05).upper).toBe(1);
  });

  it('covers the true rate at every look at once, in at least 1 - alpha of 400 simulated streams', () => {
    const random = seededRandom(7);
    const alpha = 0.05;
    let missed = 0;
    for (let run = 0; run < 400; run += 1) {
      const p = 0.9;
      let s = 0;
      for (let n = 1; n <= 2_000; n += 1) {
        if (random() < p) s += 1;
        if (n % 20 !== 0) continue;
        const b = rateConfidenceSequence(s, n, alpha);
        if (p < b.lower || p > b.upper) {
          missed += 1;
          break;
        }
      }
    }
    expect(missed / 400).toBeLessThanOrEqual(alpha);
  });
});

describe('samplesToDecide', () => {
  it('says, within 5%, how many samples in all would clear the threshold, and nothing on the threshold itself', () => {
    const needed = samplesToDecide(90, 100, 0.95, 0.05);
    expect(needed).toBeGreaterThan(100);
    const at = needed as number;
    expect(rateConfidenceSequence(0.9 * at, at, 0.05).upper).toBeLessThan(0.95);
    const short = Math.floor(at * 0.94);
    expect(rateConfidenceSequence(0.9 * short, short, 0.05).upper).toBeGreaterThanOrEqual(0.95);
    expect(samplesToDecide(95, 100, 0.95, 0.05)).toBeUndefined();
    expect(samplesToDecide(0, 0, 0.95, 0.05)).toBeUndefined();
  });
});
