import fc from 'fast-check';
import { eBH, eBHStopped } from './e-bh';
import { seededRandom } from './seeded-random';

const logs = (es: number[]) => es.map(Math.log);

describe('e-BH', () => {
  it('rejects the k largest e-values where the k-th is at least K / (alpha k)', () => {
    // K = 10, alpha = 0.1: thresholds 100, 50, 33.3, 25, ...
    const r = eBH(logs([120, 40, 34, 1, 0.5, 2, 3, 0, 1, 1]), 0.1);
    expect(r.count).toBe(3);
    expect(r.rejected).toEqual([true, true, true, false, false, false, false, false, false, false]);
    expect(Math.exp(r.logThreshold)).toBeCloseTo(100 / 3, 8);
  });

  it('rejects nothing below K / alpha, and counts hypotheses not given', () => {
    expect(eBH(logs([19.9]), 0.05).count).toBe(0);
    expect(eBH(logs([20]), 0.05).count).toBe(1);
    expect(eBH(logs([20]), 0.05, 200).count).toBe(0);
    expect(eBH(logs([4000]), 0.05, 200).count).toBe(1);
    expect(eBH(logs([2000, 2000]), 0.05, 200).count).toBe(2);
  });

  it('handles no e-values, ties, zero and infinite e-values', () => {
    expect(eBH([], 0.05)).toMatchObject({ rejected: [], count: 0 });
    expect(eBH([-Infinity, -Infinity], 0.05).count).toBe(0);
    expect(eBH([Infinity, -Infinity, 0], 0.05).rejected).toEqual([true, false, false]);
    expect(eBH(logs([40, 40, 40]), 0.05).count).toBe(3);
  });

  it('refuses invalid input', () => {
    expect(() => eBH([Number.NaN], 0.05)).toThrow(RangeError);
    expect(() => eBH([0], 0)).toThrow(RangeError);
    expect(() => eBH([0], 1)).toThrow(RangeError);
    expect(() => eBH([0, 0], 0.05, 1)).toThrow(RangeError);
    expect(() => eBH([0], 0.05, 2.5)).toThrow(RangeError);
  });

  it('never rejects fewer hypotheses when an e-value grows', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 12, noNaN: true }), { minLength: 1, maxLength: 30 }), fc.nat(), fc.double({ min: 0, max: 5, noNaN: true }), (es, at, by) => {
        const i = at % es.length;
        const grown = es.map((e, j) => (j === i ? e + by : e));
        expect(eBH(grown, 0.05).count).toBeGreaterThanOrEqual(eBH(es, 0.05).count);
      }),
    );
  });

  it('keeps every rejection of e-processes stopped when rejected, whatever they do afterwards', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: -3, max: 10, noNaN: true }), { minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 20 }), (steps) => {
        const frozen: Array<number | undefined> = Array.from({ length: 8 }, () => undefined);
        let before: boolean[] = Array.from({ length: 8 }, () => false);
        for (const step of steps) {
          const r = eBHStopped(
            step.map((logEValue, i) => ({ logEValue, frozenLogEValue: frozen[i] })),
            0.1,
            8,
          );
          r.rejected.forEach((rej, i) => {
            if (rej) frozen[i] ??= step[i];
          });
          before.forEach((was, i) => {
            if (was) expect(r.rejected[i]).toBe(true);
          });
          before = r.rejected;
        }
      }),
    );
  });

  it('keeps the false discovery rate under alpha K0 / K with independent null e-values', () => {
    const rng = seededRandom(3);
    const runs = 4000;
    let fdp = 0;
    for (let r = 0; r < runs; r += 1) {
      // 45 nulls with e-values of mean 1 (200 with probability 1/200, else 0), 5 strong alternatives.
      const es = [...Array.from({ length: 45 }, () => (rng() < 1 / 200 ? Math.log(200) : -Infinity)), ...Array.from({ length: 5 }, () => Math.log(1e4))];
      const res = eBH(es, 0.1);
      const falses = res.rejected.slice(0, 45).filter(Boolean).length;
      fdp += falses / Math.max(res.count, 1);
    }
    expect(fdp / runs).toBeGreaterThan(0.01);
    expect(fdp / runs).toBeLessThanOrEqual(0.1 * (45 / 50));
  });
});
