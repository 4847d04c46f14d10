import { simulateExperiment, type ExperimentOutcome, type MethodSummary, type NoiseSimulationOptions, type NoiseSimulationSummary } from './noise-simulation';

export function runNoiseSimulation(options: NoiseSimulationOptions): NoiseSimulationSummary {
  const outcomes: ExperimentOutcome[] = [];
  for (let i = 0; i < options.experiments; i += 1) outcomes.push(simulateExperiment(i, options));
  return summariseNoiseSimulation(outcomes, options);
}

type Flagged = (p: ExperimentOutcome['paths'][number]) => number | undefined;

export function summariseNoiseSimulation(outcomes: readonly ExperimentOutcome[], options: NoiseSimulationOptions): NoiseSimulationSummary {
  const horizon = options.looks[options.looks.length - 1] ?? 0;
  const regressed = outcomes.flatMap((o) => o.paths.filter((p) => p.regressed));
  const clean = outcomes.filter((o) => !o.regressed);
  const equivalentPairs = clean.flatMap((o) => (o.equivalentAt === undefined ? [] : [o.equivalentAt]));
  return {
    experiments: outcomes.length,
    paths: options.paths,
    horizon,
    regressedPaths: { quiet: regressed.filter((p) => p.kind === 'quiet').length, noisy: regressed.filter((p) => p.kind === 'noisy').length },
    ours: method(outcomes, (p) => p.oursAt),
    rule: method(outcomes, (p) => p.ruleAt),
    ruleLastLook: method(outcomes, (p) => (p.ruleLast ? horizon : undefined)),
    equivalence: {
      cleanWithinHorizon: share(equivalentPairs.length, clean.length),
      medianPairs: quantile(equivalentPairs, 0.5),
      p90Pairs: quantile(
        clean.map((o) => o.equivalentAt ?? Infinity),
        0.9,
      ),
      regressedJudgedEquivalent: share(outcomes.filter((o) => o.regressed && o.equivalentAt !== undefined).length, outcomes.length - clean.length),
    },
  };
}

function method(outcomes: readonly ExperimentOutcome[], flaggedAt: Flagged): MethodSummary {
  let flagged = 0;
  let falseFlags = 0;
  let nullPaths = 0;
  let fdpSum = 0;
  let cleanFlagged = 0;
  let cleanCount = 0;
  const detected = { all: [] as number[], quiet: [] as number[], noisy: [] as number[] };
  const hits = { all: [0, 0], quiet: [0, 0], noisy: [0, 0] };
  for (const o of outcomes) {
    let r = 0;
    let v = 0;
    for (const p of o.paths) {
      const at = flaggedAt(p);
      if (at !== undefined) r += 1;
      if (!p.regressed) {
        nullPaths += 1;
        if (at !== undefined) v += 1;
        continue;
      }
      for (const key of ['all', p.kind === 'quiet' ? 'quiet' : 'noisy'] as const) {
        hits[key][1] = (hits[key][1] ?? 0) + 1;
        if (at !== undefined) {
          hits[key][0] = (hits[key][0] ?? 0) + 1;
          detected[key].push(at);
        }
      }
    }
    flagged += r;
    falseFlags += v;
    fdpSum += v / Math.max(r, 1);
    if (!o.regressed) {
      cleanCount += 1;
      if (r > 0) cleanFlagged += 1;
    }
  }
  const rate = ([hit, all]: number[]) => share(hit ?? 0, all ?? 0);
  return {
    flagged,
    falseFlags,
    fdr: share(fdpSum, outcomes.length),
    falseFlagRate: share(falseFlags, nullPaths),
    cleanExperimentsFlagged: share(cleanFlagged, cleanCount),
    power: { all: rate(hits.all), quiet: rate(hits.quiet), noisy: rate(hits.noisy) },
    medianPairsToDetection: { all: quantile(detected.all, 0.5), quiet: quantile(detected.quiet, 0.5), noisy: quantile(detected.noisy, 0.5) },
  };
}

function share(part: number, whole: number): number {
  return whole > 0 ? part / whole : Number.NaN;
}

/** The q-quantile (lower), NaN when empty; Infinity stands for "not within the horizon". */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))] as number;
}
