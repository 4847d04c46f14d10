import { type Gate } from '@penumbra/contracts';
import { fixedHorizonSamples, logMixtureMartingale, seededRandom, wilsonInterval } from '@penumbra/stats-core';
import { emptyEvidence } from './evidence';
import { lookOf, takeFirstLooks } from './first-looks';
import { rateVerdict } from './gates';
import { type FirstLookRecord } from './state';

/** How a gate behaves on simulated traffic of a known true rate, judged after every `look` samples. */
export interface OperatingPlan {
  gate: Gate & { confidence: number };
  trueRate: number;
  /** Samples between two evaluations. */
  look: number;
  /** Samples after which an experiment is given up as undecided. */
  maxSamples: number;
  runs: number;
  seed: number;
}

export interface DecisionStats {
  /** Share of runs that ended in each verdict. */
  passed: number;
  failed: number;
  undecided: number;
  /** Samples to a decision over the runs that decided (Infinity past the share that did). */
  median: number;
  p95: number;
}

export interface OperatingCharacteristics {
  /** The gate judged by the engine: its sequential test. */
  engine: DecisionStats;
  /** A fixed-sample Wilson interval at the same level, re-checked at every look. */
  naive: DecisionStats;
  /** The two-sided beta-binomial mixture confidence sequence the engine used before. */
  previous: DecisionStats;
}

type Outcome = { verdict: 'pass' | 'fail' | 'none'; at: number };

/** A judge of one run: the verdict after `successes` of `n`, or undefined while undecided. */
type Judge = (successes: number, n: number) => 'pass' | 'fail' | undefined;

/**
 * The engine's judge for one run: the gate's verdict with its early look taken and recorded as
 * the engine does (takeFirstLooks), at the first evaluation that reaches the look's samples.
 */
function engineJudge(gate: Gate & { confidence: number }): Judge {
  const stage = { gates: [gate], rollbackTriggers: [] };
  let looks: FirstLookRecord[] = [];
  return (s, n) => {
    if (looks.length === 0) {
      const e = emptyEvidence();
      e.counts = { ...e.counts, pairs: n, match: s, mismatch: n - s };
      looks = takeFirstLooks(stage, e, { firstLooks: looks, firstLooksLost: false });
    }
    const v = rateVerdict(gate, 'promotion', s, n, gate.confidence, lookOf(looks, gate, 'promotion'));
    return v === 'need-more-data' ? undefined : v;
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Infinity;
}

function stats(outcomes: Outcome[]): DecisionStats {
  const runs = outcomes.length;
  const at = outcomes.map((o) => (o.verdict === 'none' ? Infinity : o.at)).sort((a, b) => a - b);
  const share = (v: string) => outcomes.filter((o) => o.verdict === v).length / runs;
  return { passed: share('pass'), failed: share('fail'), undecided: share('none'), median: quantile(at, 0.5), p95: quantile(at, 0.95) };
}

/**
 * Simulates `runs` experiments of independent samples at the true rate and judges a rate gate
 * (upward: ">=" or ">") after every `look` samples until it passes or fails, by the engine's own
 * verdict (`rateVerdict`, what `judgeGate` decides a rate gate by, with its early look) and, next
 * to it, by a re-checked fixed-sample interval and by the interval the engine used before.
 * Seeded: the same plan gives the same numbers.
 */
export function operatingCharacteristics(plan: OperatingPlan): OperatingCharacteristics {
  const random = seededRandom(plan.seed);
  const { threshold, confidence } = plan.gate;
  const alpha = 1 - confidence;
  const judgesOfRun = (): Record<keyof OperatingCharacteristics, Judge> => ({
    engine: engineJudge(plan.gate),
    naive: (s, n) => {
      const b = wilsonInterval(s, n, alpha);
      return b.lower > threshold ? 'pass' : b.upper < threshold ? 'fail' : undefined;
    },
    previous: (s, n) => {
      if (logMixtureMartingale(s, n, threshold) < Math.log(1 / alpha) || s / n === threshold) return undefined;
      return s / n > threshold ? 'pass' : 'fail';
    },
  });
  const names = Object.keys(judgesOfRun()) as Array<keyof OperatingCharacteristics>;
  const outcomes = { engine: [] as Outcome[], naive: [] as Outcome[], previous: [] as Outcome[] };
  for (let run = 0; run < plan.runs; run += 1) {
    let successes = 0;
    const judges = judgesOfRun();
    const done = new Map<keyof OperatingCharacteristics, Outcome>();
    for (let n = 1; n <= plan.maxSamples && done.size < names.length; n += 1) {
      if (random() < plan.trueRate) successes += 1;
      if (n % plan.look !== 0) continue;
      for (const name of names) {
        if (done.has(name)) continue;
        const v = judges[name](successes, n);
        if (v !== undefined) done.set(name, { verdict: v, at: n });
      }
    }
    for (const name of names) outcomes[name].push(done.get(name) ?? { verdict: 'none', at: Infinity });
  }
  return { engine: stats(outcomes.engine), naive: stats(outcomes.naive), previous: stats(outcomes.previous) };
}

/** The one-sided fixed-horizon test's sample size for the same gate at the true rate (power 0.8). */
export function fixedHorizonOf(plan: Pick<OperatingPlan, 'gate' | 'trueRate'>): number {
  return fixedHorizonSamples(plan.gate.threshold, plan.trueRate, 1 - plan.gate.confidence, 0.8);
}
