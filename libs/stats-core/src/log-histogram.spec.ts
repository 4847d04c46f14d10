import fc from 'fast-check';
import { LogHistogram } from './log-histogram';

const exactQuantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))] as number;
const samples = fc.array(fc.double({ min: 0.001, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 500 });

describe('LogHistogram', () => {
  it('answers every quantile within its relative error of the exact one', () => {
    fc.assert(
      fc.property(samples, fc.constantFrom(0, 0.25, 0.5, 0.9, 0.95, 0.99, 1), (values, q) => {
        const h = new LogHistogram(0.01);
        values.forEach((v) => h.add(v));
        const exact = exactQuantile(
          [...values].sort((a, b) => a - b),
          q,
        );
        expect(Math.abs((h.quantile(q) as number) - exact)).toBeLessThanOrEqual(0.01 * exact + 1e-12);
      }),
    );
  });

  it('merges by addition: the merge of two equals the histogram of both', () => {
    fc.assert(
      fc.property(samples, samples, (xs, ys) => {
        const a = new LogHistogram();
        const b = new LogHistogram();
        const both = new LogHistogram();
        xs.forEach((v) => (a.add(v), both.add(v)));
        ys.forEach((v) => (b.add(v), both.add(v)));
        const merged = a.merge(b).toJSON();
        const whole = both.toJSON();
        expect({ ...merged, sum: Math.round(merged.sum * 1e6) }).toEqual({ ...whole, sum: Math.round(whole.sum * 1e6) });
      }),
    );
  });

  it('keeps quantile error bounded after merging many parts', () => {
    fc.assert(
      fc.property(fc.array(samples, { minLength: 2, maxLength: 8 }), (parts) => {
        const merged = new LogHistogram();
        parts.forEach((p) => {
          const h = new LogHistogram();
          p.forEach((v) => h.add(v));
          merged.merge(LogHistogram.fromJSON(h.toJSON()));
        });
        const all = parts.flat().sort((a, b) => a - b);
        for (const q of [0.5, 0.99]) {
          const exact = exactQuantile(all, q);
          expect(Math.abs((merged.quantile(q) as number) - exact)).toBeLessThanOrEqual(0.01 * exact + 1e-12);
        }
      }),
    );
  });

  it('counts zeros, ignores invalid values and refuses to merge other accuracies', () => {
    const h = new LogHistogram();
    [0, 0, 5, Number.NaN, -1, Infinity].forEach((v) => h.add(v));
    expect(h.count).toBe(3);
    expect(h.quantile(0.5)).toBe(0);
    expect(new LogHistogram().quantile(0.5)).toBeUndefined();
    expect(() => h.merge(new LogHistogram(0.02))).toThrow(/alpha/);
    expect(LogHistogram.indexOf(0)).toBeUndefined();
  });
});
