import { isNoise } from '@penumbra/diff-core';
import { DEFAULT_NOISE_SIMULATION, binomial, cells, lookSchedule } from './noise-simulation';
import { runNoiseSimulation } from './noise-simulation-summary';
import { excessBound, type PairCounts } from './paired-difference';
import { judgePaths, maxExcessDiffRate, type PathVerdict } from './path-verdicts';
import { seededRandom } from './seeded-random';

const counts = (n: number, candidateOnly: number, secondaryOnly: number, both = 0): PairCounts => ({ n, candidateOnly, secondaryOnly, both });
const byPath = (vs: PathVerdict[]) => Object.fromEntries(vs.map((v) => [v.path, v]));

describe('per-path verdicts', () => {
  it('judges a regression, noise, and an undecided path with the pairs it still needs', () => {
    const judged = judgePaths(
      [
        { path: '$.price', counts: counts(20_000, 40, 0) },
        { path: '$.items[*].id', counts: counts(20_000, 0, 0, 20_000) },
        { path: '$.total', counts: counts(20_000, 520, 480, 500) },
      ],
      { hypotheses: 200, pairs: 20_000 },
    );
    const v = byPath(judged.verdicts);
    expect(v['$.price']).toMatchObject({ verdict: 'regression' });
    expect(v['$.price']?.verdict === 'regression' && v['$.price'].eValue).toBeGreaterThan(200 / 0.05);
    expect(v['$.price']?.excess.lower).toBeGreaterThan(0);
    expect(v['$.items[*].id']).toMatchObject({ verdict: 'noise' });
    const total = v['$.total'];
    expect(total?.verdict).toBe('undecided');
    expect(total?.verdict === 'undecided' && total.morePairs).toBeGreaterThan(0);
    expect(judged.newlyFlagged).toEqual([{ path: '$.price', logEValue: expect.any(Number) }]);
    expect(judged.maxExcessDiffRate).toBeGreaterThan(0.002);
  });

  it('keeps a regression once judged, with the e-value it was judged with, and reports it as new only once', () => {
    const first = judgePaths([{ path: '$.a', counts: counts(5_000, 30, 0) }], { hypotheses: 50 });
    const kept = first.newlyFlagged[0]?.logEValue as number;
    const later = judgePaths([{ path: '$.a', counts: counts(50_000, 30, 60), flaggedLogEValue: kept }], { hypotheses: 50 });
    expect(later.verdicts[0]).toMatchObject({ verdict: 'regression', logEValue: kept });
    expect(later.newlyFlagged).toEqual([]);
  });

  it('bounds the largest excess by the largest per-path bound, counting paths that never differed', () => {
    const paths = [
      { path: '$.a', counts: counts(10_000, 3, 1) },
      { path: '$.b', counts: counts(10_000, 0, 2) },
    ];
    expect(maxExcessDiffRate(paths, 0.05)).toBe(excessBound(paths[0]?.counts as PairCounts, 0.05, 'upper'));
    expect(maxExcessDiffRate([], 0.05)).toBe(1);
    expect(maxExcessDiffRate([], 0.05, 10_000)).toBe(excessBound(counts(10_000, 0, 0), 0.05, 'upper'));
    expect(maxExcessDiffRate([{ path: '$.b', counts: counts(10_000, 0, 50) }], 0.05, 10_000)).toBe(excessBound(counts(10_000, 0, 0), 0.05, 'upper'));
  });

  it('refuses invalid options', () => {
    const p = [{ path: '$.a', counts: counts(10, 1, 0) }];
    expect(() => judgePaths(p, { fdr: 0 })).toThrow(RangeError);
    expect(() => judgePaths(p, { alpha: 1.5 })).toThrow(RangeError);
    expect(() => judgePaths(p, { delta: 0 })).toThrow(RangeError);
    expect(() => judgePaths(p, { hypotheses: 0 })).toThrow(RangeError);
    expect(() => judgePaths([{ path: '$.a', counts: counts(1, 2, 0) }])).toThrow(RangeError);
  });
});

describe('the noise simulation (a smaller run of npm run sim -- noise)', () => {
  const rule = (c: { requests: number; raw: number; noise: number }) => isNoise(c, { relativeThreshold: 0.2, absoluteThreshold: 0.0003 });
  const s = runNoiseSimulation({ ...DEFAULT_NOISE_SIMULATION, experiments: 120, isNoise: rule });

  it('keeps the realised false discovery rate under 0.05, where the rule, re-checked, flags most clean experiments', () => {
    // e-BH bounds the expected FDP by 0.05; a mean of 120 FDPs in [0, 1] could exceed it by chance
    // by about 2 standard errors (0.04), so 0.09 is the bound that cannot fail spuriously.
    expect(s.ours.fdr).toBeLessThanOrEqual(0.09);
    expect(s.ours.cleanExperimentsFlagged).toBeLessThanOrEqual(0.09);
    expect(s.rule.fdr).toBeGreaterThan(0.2);
    expect(s.rule.cleanExperimentsFlagged).toBeGreaterThan(0.5);
  });

  it('finds more regressions than the rule, above all on paths that are noisy in production', () => {
    expect(s.ours.power.all).toBeGreaterThan(s.ruleLastLook.power.all);
    expect(s.ours.power.noisy).toBeGreaterThan(s.rule.power.noisy);
    expect(s.ours.power.noisy).toBeGreaterThan(s.ruleLastLook.power.noisy);
    expect(s.ours.power.quiet).toBe(1);
  });

  it('judges clean candidates equivalent at 0.001, and never a candidate with a regression', () => {
    expect(s.equivalence.cleanWithinHorizon).toBeGreaterThan(0.9);
    expect(s.equivalence.regressedJudgedEquivalent).toBe(0);
  });

  it('draws the cells it means to', () => {
    const { p10, p01, p11 } = cells(0.05, 0.01);
    expect(p11 + p10).toBeCloseTo(0.06, 12);
    expect(p11 + p01).toBeCloseTo(0.05, 12);
    expect(cells(1, 0)).toEqual({ p10: 0, p01: 0, p11: 1 });
    const rng = seededRandom(1);
    const draws = Array.from({ length: 2000 }, () => binomial(rng, 10_000, 0.05));
    expect(draws.reduce((a, b) => a + b, 0) / draws.length).toBeCloseTo(500, 0);
    expect(lookSchedule(60_000).slice(-3)).toEqual([49_000, 50_000, 60_000]);
  });
});
