import { eBH } from './e-bh';
import { logExcessEvidence, logRegressionEvidence, type PairCounts } from './paired-difference';
import { seededRandom } from './seeded-random';

/**
 * Simulated experiments for the per-path verdicts, next to Diffy's threshold rule on the same data.
 * Each experiment has `paths` paths: a few volatile on every request, some that differ in a share
 * `noisyRate` of requests, the rest never; in a share of experiments the candidate adds an excess
 * difference rate on a few non-volatile paths. Half of a noisy path's differences are shared (the
 * primary's value is the odd one, so candidate and secondary both differ), half independent.
 */

/** Diffy's rule as the comparator applies it: true when a path's differences count as noise. */
export type NoiseRule = (c: { requests: number; raw: number; noise: number }) => boolean;

export interface NoiseSimulationOptions {
  experiments: number;
  paths: number;
  seed: number;
  volatilePaths: [number, number];
  noisyPaths: [number, number];
  noisyRate: number;
  regressedShare: number;
  regressedPaths: number;
  /** How many of the regressed paths land on noisy paths (the rest on paths that never differ). */
  regressedOnNoisy: number;
  excess: [number, number];
  /** The pair counts at which both methods look, increasing. */
  looks: number[];
  fdr: number;
  delta: number;
  alpha: number;
  isNoise: NoiseRule;
}

/** A look every 1,000 pairs up to 50,000, every 10,000 up to 500,000, then every 50,000 up to `horizon`. */
export function lookSchedule(horizon: number): number[] {
  const looks: number[] = [];
  for (let n = 1000; n <= horizon; n += n < 50_000 ? 1000 : n < 500_000 ? 10_000 : 50_000) looks.push(n);
  return looks;
}

export const DEFAULT_NOISE_SIMULATION: Omit<NoiseSimulationOptions, 'isNoise'> = {
  experiments: 1000,
  paths: 200,
  seed: 20,
  volatilePaths: [2, 5],
  noisyPaths: [5, 20],
  noisyRate: 0.05,
  regressedShare: 0.5,
  regressedPaths: 3,
  regressedOnNoisy: 1,
  excess: [0.005, 0.02],
  looks: lookSchedule(2_000_000),
  fdr: 0.05,
  delta: 0.001,
  alpha: 0.05,
};

export interface MethodSummary {
  flagged: number;
  falseFlags: number;
  /** Mean over experiments of false flags / max(flags, 1). */
  fdr: number;
  /** False flags / null paths that ever differ (volatile and noisy paths without a regression). */
  falseFlagRate: number;
  /** Share of clean experiments with any flag: each would be rolled back. */
  cleanExperimentsFlagged: number;
  /** Share of regressed paths flagged, in all, on paths that never differ in production, and on noisy ones. */
  power: { all: number; quiet: number; noisy: number };
  /** Median pairs until a regressed path was flagged (among those flagged), in all, on quiet and on noisy paths. */
  medianPairsToDetection: { all: number; quiet: number; noisy: number };
}

export interface NoiseSimulationSummary {
  experiments: number;
  paths: number;
  horizon: number;
  regressedPaths: { quiet: number; noisy: number };
  ours: MethodSummary;
  /** Diffy's rule, a path counted as flagged once it crosses the thresholds at any look. */
  rule: MethodSummary;
  /** Diffy's rule read once, at the last look only. */
  ruleLastLook: MethodSummary;
  equivalence: {
    /** Share of clean experiments judged equivalent at delta within the horizon. */
    cleanWithinHorizon: number;
    medianPairs: number;
    p90Pairs: number;
    /** Share of experiments with a regression (every excess > delta) wrongly judged equivalent. */
    regressedJudgedEquivalent: number;
  };
}

interface SimPath {
  kind: 'volatile' | 'noisy' | 'quiet';
  regressed: boolean;
  p10: number;
  p01: number;
  p11: number;
  counts: PairCounts;
  frozen?: number;
  oursAt?: number;
  ruleAt?: number;
  ruleLast: boolean;
  equivalent: boolean;
}

export interface ExperimentOutcome {
  regressed: boolean;
  paths: Array<Pick<SimPath, 'kind' | 'regressed' | 'oursAt' | 'ruleAt' | 'ruleLast'>>;
  equivalentAt?: number;
}

export function simulateExperiment(index: number, o: NoiseSimulationOptions): ExperimentOutcome {
  const rng = seededRandom((o.seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const volatile = int(...o.volatilePaths);
  const noisy = int(...o.noisyPaths);
  const regressed = rng() < o.regressedShare;
  const excesses = new Map<number, number>();
  const onNoisy = Math.min(o.regressedOnNoisy, o.regressedPaths, noisy);
  while (regressed && excesses.size < Math.min(o.regressedPaths, o.paths - volatile)) {
    const at = excesses.size < onNoisy ? int(volatile, volatile + noisy - 1) : int(volatile + noisy, o.paths - 1);
    excesses.set(at, o.excess[0] + rng() * (o.excess[1] - o.excess[0]));
  }
  const active: SimPath[] = [];
  let quietNull = 0;
  for (let i = 0; i < o.paths; i += 1) {
    const kind = i < volatile ? 'volatile' : i < volatile + noisy ? 'noisy' : 'quiet';
    const rate = kind === 'volatile' ? 1 : kind === 'noisy' ? o.noisyRate : 0;
    const excess = excesses.get(i) ?? 0;
    if (rate === 0 && excess === 0) quietNull += 1;
    else active.push({ kind, regressed: excess > 0, ...cells(rate, excess), counts: { n: 0, candidateOnly: 0, secondaryOnly: 0, both: 0 }, ruleLast: false, equivalent: false });
  }
  const limit = Math.log(1 / o.alpha);
  let previous = 0;
  let equivalentAt: number | undefined;
  for (const look of o.looks) {
    const batch = look - previous;
    previous = look;
    for (const p of active) {
      const up = binomial(rng, batch, p.p10);
      const down = binomial(rng, batch - up, p.p01 / (1 - p.p10));
      const both = binomial(rng, batch - up - down, p.p11 / (1 - p.p10 - p.p01));
      const c = p.counts;
      p.counts = { n: look, candidateOnly: c.candidateOnly + up, secondaryOnly: c.secondaryOnly + down, both: c.both + both };
      const raw = p.counts.candidateOnly + p.counts.both;
      p.ruleLast = raw > 0 && !o.isNoise({ requests: look, raw, noise: p.counts.secondaryOnly + p.counts.both });
      if (p.ruleLast) p.ruleAt ??= look;
      if (!p.equivalent) p.equivalent = logExcessEvidence(p.counts, o.delta, 'below') >= limit;
    }
    const tested = eBH(
      active.map((p) => p.frozen ?? logRegressionEvidence(p.counts)),
      o.fdr,
      o.paths,
    );
    active.forEach((p, i) => {
      if (tested.rejected[i] && p.frozen === undefined) {
        p.frozen = logRegressionEvidence(p.counts);
        p.oursAt = look;
      }
    });
    const quietEquivalent = quietNull === 0 || logExcessEvidence({ n: look, candidateOnly: 0, secondaryOnly: 0, both: 0 }, o.delta, 'below') >= limit;
    if (equivalentAt === undefined && quietEquivalent && active.every((p) => p.equivalent)) equivalentAt = look;
  }
  return { regressed, paths: active.map(({ kind, regressed: r, oursAt, ruleAt, ruleLast }) => ({ kind, regressed: r, oursAt, ruleAt, ruleLast })), equivalentAt };
}

/** Cell probabilities of a path that differs at `rate` in production, plus `excess` for the candidate. */
export function cells(rate: number, excess: number): { p10: number; p01: number; p11: number } {
  const shared = rate / 2;
  const secondary = rate >= 1 ? 1 : (rate - shared) / (1 - shared);
  const candidate = Math.min(1, (rate + excess - shared) / (1 - shared));
  return {
    p10: (1 - shared) * candidate * (1 - secondary),
    p01: (1 - shared) * secondary * (1 - candidate),
    p11: shared + (1 - shared) * secondary * candidate,
  };
}

/** A binomial draw: by inversion for small means, else a normal approximation (ample for a simulation). */
export function binomial(rng: () => number, n: number, p: number): number {
  if (n <= 0 || !(p > 0)) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(rng, n, 1 - p);
  const mean = n * p;
  if (mean < 40) {
    let k = 0;
    let prob = Math.pow(1 - p, n);
    let cdf = prob;
    const u = rng();
    while (u > cdf && k < n) {
      prob *= ((n - k) / (k + 1)) * (p / (1 - p));
      k += 1;
      cdf += prob;
    }
    return k;
  }
  const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return Math.min(n, Math.max(0, Math.round(mean + z * Math.sqrt(mean * (1 - p)))));
}
