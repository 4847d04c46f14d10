// Per-path verdicts (paired e-processes, e-BH) against Diffy's threshold rule on the same
// simulated experiments: realised FDR, power, pairs to detection, and how soon clean candidates
// are judged equivalent. Seeded, so a run repeats exactly.
import { isNoise } from '@penumbra/diff-core';
import { DEFAULT_NOISE_SIMULATION, lookSchedule, runNoiseSimulation, type MethodSummary } from '@penumbra/stats-core';

const USAGE = 'usage: npm run sim -- noise [--json] [--experiments N] [--paths N] [--seed N] [--horizon PAIRS] [--delta D]\n';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`--${name} needs a positive number\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

if (process.argv.includes('--help')) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const options = {
  ...DEFAULT_NOISE_SIMULATION,
  experiments: Math.round(flag('experiments', DEFAULT_NOISE_SIMULATION.experiments)),
  paths: Math.round(flag('paths', DEFAULT_NOISE_SIMULATION.paths)),
  seed: Math.round(flag('seed', DEFAULT_NOISE_SIMULATION.seed)),
  looks: lookSchedule(flag('horizon', 2_000_000)),
  delta: flag('delta', DEFAULT_NOISE_SIMULATION.delta),
  isNoise: (c: { requests: number; raw: number; noise: number }) => isNoise(c, { relativeThreshold: 0.2, absoluteThreshold: 0.0003 }),
};
const started = performance.now();
const s = runNoiseSimulation(options);
const seconds = (performance.now() - started) / 1000;

const pct = (x: number) => (Number.isNaN(x) ? '-' : `${(100 * x).toFixed(1)}%`);
const pairs = (x: number) => (Number.isNaN(x) ? '-' : Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : `> ${s.horizon.toLocaleString('en-US')}`);
const row = (name: string, m: MethodSummary) =>
  `| ${name} | ${pct(m.fdr)} | ${pct(m.falseFlagRate)} | ${pct(m.cleanExperimentsFlagged)} | ${pct(m.power.all)} | ${pct(m.power.quiet)} | ${pct(m.power.noisy)} | ${pairs(m.medianPairsToDetection.quiet)} | ${pairs(m.medianPairsToDetection.noisy)} |`;

process.stdout.write(
  [
    `noise: ${s.experiments} experiments × ${s.paths} paths, looked at ${options.looks.length} times up to ${pairs(s.horizon)} pairs (seed ${options.seed}, ${seconds.toFixed(1)} s)`,
    `regressed paths: ${s.regressedPaths.quiet} on quiet paths, ${s.regressedPaths.noisy} on noisy (${pct(options.noisyRate)}) paths; excess ${pct(options.excess[0])}-${pct(options.excess[1])}`,
    '',
    '| method | FDR | false-flag rate | clean experiments flagged | power | on quiet paths | on noisy paths | median pairs to detection (quiet) | (noisy) |',
    '|---|---|---|---|---|---|---|---|---|',
    row('e-processes + e-BH (ours)', s.ours),
    row("Diffy's rule, checked at every look", s.rule),
    row("Diffy's rule, read once at the end", s.ruleLastLook),
    '',
    `equivalence at δ = ${options.delta} (maxExcessDiffRate @${1 - options.alpha}): ${pct(s.equivalence.cleanWithinHorizon)} of clean experiments within the horizon, median ${pairs(s.equivalence.medianPairs)} pairs, p90 ${pairs(s.equivalence.p90Pairs)}; experiments with a regression judged equivalent: ${pct(s.equivalence.regressedJudgedEquivalent)}`,
    '',
  ].join('\n'),
);
if (process.argv.includes('--json')) {
  const finite = (_: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
  process.stdout.write(`${JSON.stringify({ sim: 'noise', seed: options.seed, seconds, ...s }, finite)}\n`);
}
