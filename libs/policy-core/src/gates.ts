import { BUILTIN_METRICS, type BuiltinMetric, type Gate, type GateEvidence } from '@penumbra/contracts';
import { type Direction, type EarlyLook, type SplitPlan, samplesToDecideThreshold, sideParts, splitTestBound, splitTestShows } from '@penumbra/stats-core';
import { type EvidenceInput, builtinValue, customValue, pointEstimateShortfall, rateSample, stageSamples } from './evidence';
import { compare } from './comparison';
import { isPathMetric, judgePathCondition } from './path-gates';

export { compare } from './comparison';

export type GateKind = 'promotion' | 'rollback';

const isBuiltin = (m: string): m is BuiltinMetric => (BUILTIN_METRICS as readonly string[]).includes(m);

export function gateLabel(g: Gate): string {
  return g.name ?? `${g.metric} ${g.op} ${g.threshold}${g.confidence === undefined ? '' : ` @${g.confidence}`}`;
}

export function metricValue(metric: string, e: EvidenceInput): number | null {
  return isBuiltin(metric) ? builtinValue(metric, e) : customValue(metric, e);
}

const isUpward = (gate: Gate) => gate.op === '>=' || gate.op === '>';

/**
 * The side of a rate test whose decision leads to a rollback, and so should come early: a
 * promotion gate failing, a rollback trigger firing. Its test spends part of alpha on one early
 * exact look (see first-look.ts in stats-core); the other side keeps the whole alpha.
 */
export function rollbackSide(gate: Gate, kind: GateKind): Direction {
  return isUpward(gate) === (kind === 'promotion') ? 'below' : 'above';
}

function planOf(gate: Gate, kind: GateKind, confidence: number, look: EarlyLook | undefined): SplitPlan {
  return { threshold: gate.threshold, alpha: 1 - confidence, earlySide: rollbackSide(gate, kind), look };
}

/**
 * Whether a condition holds, by the anytime-valid threshold test when the gate asks for a
 * confidence: it holds once the test shows the rate on the condition's side of the threshold,
 * fails once it shows it on the other side, and otherwise needs more data. `look` is the gate's
 * one early look in this stage, once taken (see first-looks.ts); without it the test is still
 * sound, only slower on the rollback side.
 */
export function rateVerdict(gate: Gate, kind: GateKind, successes: number, trials: number, confidence: number, look?: EarlyLook): GateEvidence['verdict'] {
  if (trials <= 0) return 'need-more-data';
  const plan = planOf(gate, kind, confidence, look);
  const upward = isUpward(gate);
  if (splitTestShows(successes, trials, plan, upward ? 'above' : 'below')) return 'pass';
  if (splitTestShows(successes, trials, plan, upward ? 'below' : 'above')) return 'fail';
  return 'need-more-data';
}

function judgeRate(
  gate: Gate,
  kind: GateKind,
  successes: number,
  trials: number,
  confidence: number,
  look: EarlyLook | undefined,
): Pick<GateEvidence, 'verdict' | 'bound' | 'neededSamples'> {
  const upward = isUpward(gate);
  const verdict = rateVerdict(gate, kind, successes, trials, confidence, look);
  if (trials <= 0) return { verdict, bound: null };
  // The pessimistic bound while the gate passes or waits, the optimistic one once it fails: the
  // bound of the test that decided, so the threshold lies outside it exactly when it decided.
  const side = (verdict === 'fail') === upward ? 'upper' : 'lower';
  const plan = planOf(gate, kind, confidence, look);
  const bound = splitTestBound(successes, trials, plan, side);
  if (verdict !== 'need-more-data') return { verdict, bound };
  const estimate = successes / trials;
  const part = sideParts(plan, estimate < gate.threshold ? 'below' : 'above');
  const total = samplesToDecideThreshold(successes, trials, gate.threshold, part.alpha, part.ratios);
  return { verdict, bound, ...(total === undefined ? {} : { neededSamples: Math.max(0, total - trials) }) };
}

/**
 * Judges whether a gate's condition holds. For a promotion gate, "pass" means it holds; for a
 * rollback trigger, "fail" means the trigger fired (its condition holds) and "pass" that it did
 * not. Without a confidence, the point estimate is judged once `minSamples` have arrived (and, for
 * a ratio of latency quantiles, enough samples beyond the quantile: see pointEstimateShortfall).
 */
export function judgeGate(gate: Gate, kind: GateKind, e: EvidenceInput, minSamples: number, look?: EarlyLook): GateEvidence {
  if (isPathMetric(gate.metric)) return judgePathGate(gate, kind, e, minSamples);
  const value = metricValue(gate.metric, e);
  const rate = isBuiltin(gate.metric) ? rateSample(gate.metric, e.counts) : undefined;
  // The schema allows a confidence only on a rate compared by an ordering; on a gate built
  // otherwise it is ignored (and the evidence says so) rather than judged by a test that does not fit.
  const tested = rate !== undefined && gate.confidence !== undefined && gate.op !== '==' && gate.op !== '!=';
  const base = {
    gate: gateLabel(gate),
    kind,
    metric: gate.metric,
    op: gate.op,
    threshold: gate.threshold,
    value,
    confidence: tested ? (gate.confidence ?? null) : null,
    samples: tested ? rate.trials : stageSamples(e),
  };
  let held: Pick<GateEvidence, 'verdict' | 'bound' | 'neededSamples'>;
  if (tested && gate.confidence !== undefined) {
    held = judgeRate(gate, kind, rate.successes, rate.trials, gate.confidence, look);
  } else if (value === null || pointEstimateShortfall(gate.metric, e, minSamples) > 0) {
    held = { verdict: 'need-more-data', bound: null, neededSamples: pointEstimateShortfall(gate.metric, e, minSamples) };
  } else {
    held = { verdict: compare(value, gate.op, gate.threshold) ? 'pass' : 'fail', bound: null };
  }
  if (kind === 'promotion') return { ...base, ...held };
  const fired = held.verdict === 'pass' ? 'fail' : held.verdict === 'fail' ? 'pass' : 'need-more-data';
  return { ...base, ...held, verdict: fired };
}

/** A gate on the per-path verdicts: judged on the paired counts, at any time (see path-gates.ts). */
function judgePathGate(gate: Gate, kind: GateKind, e: EvidenceInput, minSamples: number): GateEvidence {
  const held = judgePathCondition(gate, e.paths, stageSamples(e) < minSamples);
  const base = {
    gate: gateLabel(gate),
    kind,
    metric: gate.metric,
    op: gate.op,
    threshold: gate.threshold,
    value: held.value,
    bound: held.bound,
    confidence: gate.confidence ?? null,
    samples: e.paths?.pairs ?? 0,
  };
  if (kind === 'promotion') return { ...base, verdict: held.verdict };
  return { ...base, verdict: held.verdict === 'pass' ? 'fail' : held.verdict === 'fail' ? 'pass' : 'need-more-data' };
}
