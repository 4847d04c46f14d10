import { BUILTIN_METRICS, type BuiltinMetric, type Comparison, type Gate, type GateEvidence } from '@penumbra/contracts';
import { samplesToDecideThreshold, thresholdBound, thresholdTest } from '@penumbra/stats-core';
import { type EvidenceInput, builtinValue, customValue, pointEstimateShortfall, rateSample, stageSamples } from './evidence';

export type GateKind = 'promotion' | 'rollback';

const isBuiltin = (m: string): m is BuiltinMetric => (BUILTIN_METRICS as readonly string[]).includes(m);

export function gateLabel(g: Gate): string {
  return g.name ?? `${g.metric} ${g.op} ${g.threshold}${g.confidence === undefined ? '' : ` @${g.confidence}`}`;
}

export function metricValue(metric: string, e: EvidenceInput): number | null {
  return isBuiltin(metric) ? builtinValue(metric, e) : customValue(metric, e);
}

export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case '>=':
      return value >= threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '<':
      return value < threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/**
 * Whether a condition holds, by the anytime-valid threshold test when the gate asks for a
 * confidence: it holds once the test shows the rate on the condition's side of the threshold,
 * fails once it shows it on the other side, and otherwise needs more data. The bound is the
 * confidence bound that goes with the test (the threshold lies outside it exactly when the test
 * decided).
 */
export function rateVerdict(gate: Gate, successes: number, trials: number, confidence: number): GateEvidence['verdict'] {
  if (trials <= 0) return 'need-more-data';
  const upward = gate.op === '>=' || gate.op === '>';
  const t = thresholdTest(successes, trials, gate.threshold, 1 - confidence);
  if (upward ? t.above : t.below) return 'pass';
  if (upward ? t.below : t.above) return 'fail';
  return 'need-more-data';
}

function judgeRate(gate: Gate, successes: number, trials: number, confidence: number): Pick<GateEvidence, 'verdict' | 'bound' | 'neededSamples'> {
  const alpha = 1 - confidence;
  const upward = gate.op === '>=' || gate.op === '>';
  const verdict = rateVerdict(gate, successes, trials, confidence);
  if (trials <= 0) return { verdict, bound: null };
  // The pessimistic bound while the gate passes or waits, the optimistic one once it fails.
  const side = (verdict === 'fail') === upward ? 'upper' : 'lower';
  const bound = thresholdBound(successes, trials, alpha, side);
  if (verdict !== 'need-more-data') return { verdict, bound };
  const total = samplesToDecideThreshold(successes, trials, gate.threshold, alpha);
  return { verdict, bound, ...(total === undefined ? {} : { neededSamples: Math.max(0, total - trials) }) };
}

/**
 * Judges whether a gate's condition holds. For a promotion gate, "pass" means it holds; for a
 * rollback trigger, "fail" means the trigger fired (its condition holds) and "pass" that it did
 * not. Without a confidence, the point estimate is judged once `minSamples` have arrived (and, for
 * a ratio of latency quantiles, enough samples beyond the quantile: see pointEstimateShortfall).
 */
export function judgeGate(gate: Gate, kind: GateKind, e: EvidenceInput, minSamples: number): GateEvidence {
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
    held = judgeRate(gate, rate.successes, rate.trials, gate.confidence);
  } else if (value === null || pointEstimateShortfall(gate.metric, e, minSamples) > 0) {
    held = { verdict: 'need-more-data', bound: null, neededSamples: pointEstimateShortfall(gate.metric, e, minSamples) };
  } else {
    held = { verdict: compare(value, gate.op, gate.threshold) ? 'pass' : 'fail', bound: null };
  }
  if (kind === 'promotion') return { ...base, ...held };
  const fired = held.verdict === 'pass' ? 'fail' : held.verdict === 'fail' ? 'pass' : 'need-more-data';
  return { ...base, ...held, verdict: fired };
}
