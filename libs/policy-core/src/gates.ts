import { BUILTIN_METRICS, type BuiltinMetric, type Comparison, type Gate, type GateEvidence } from '@penumbra/contracts';
import { rateConfidenceSequence, samplesToDecide } from '@penumbra/stats-core';
import { type EvidenceInput, builtinValue, customValue, rateSample, stageSamples } from './evidence';

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
 * Whether a condition holds, by a confidence sequence when the gate asks for one: it holds when
 * every rate inside the bounds satisfies it, fails when none does, and otherwise needs more data.
 */
function judgeRate(gate: Gate, successes: number, trials: number, confidence: number): Pick<GateEvidence, 'verdict' | 'bound' | 'neededSamples'> {
  const alpha = 1 - confidence;
  const b = rateConfidenceSequence(successes, trials, alpha);
  const upward = gate.op === '>=' || gate.op === '>';
  const downward = gate.op === '<=' || gate.op === '<';
  if (!upward && !downward) {
    const holds = trials > 0 && compare(successes / trials, gate.op, gate.threshold);
    return { verdict: holds ? 'pass' : 'fail', bound: null };
  }
  const worst = upward ? b.lower : b.upper;
  const best = upward ? b.upper : b.lower;
  if (trials > 0 && compare(worst, gate.op, gate.threshold)) return { verdict: 'pass', bound: worst };
  if (trials > 0 && !compare(best, gate.op, gate.threshold)) return { verdict: 'fail', bound: best };
  const total = trials === 0 ? undefined : samplesToDecide(successes, trials, gate.threshold, alpha);
  return { verdict: 'need-more-data', bound: worst, ...(total === undefined ? {} : { neededSamples: Math.max(0, total - trials) }) };
}

/**
 * Judges whether a gate's condition holds. For a promotion gate, "pass" means it holds; for a
 * rollback trigger, "fail" means the trigger fired (its condition holds) and "pass" that it did
 * not. Without a confidence, the point estimate is judged once `minSamples` have arrived.
 */
export function judgeGate(gate: Gate, kind: GateKind, e: EvidenceInput, minSamples: number): GateEvidence {
  const value = metricValue(gate.metric, e);
  const base = { gate: gateLabel(gate), kind, metric: gate.metric, op: gate.op, threshold: gate.threshold, value };
  const rate = isBuiltin(gate.metric) ? rateSample(gate.metric, e.counts) : undefined;
  let held: Pick<GateEvidence, 'verdict' | 'bound' | 'neededSamples'>;
  if (rate !== undefined && gate.confidence !== undefined) {
    held = judgeRate(gate, rate.successes, rate.trials, gate.confidence);
  } else if (value === null || stageSamples(e) < minSamples) {
    held = { verdict: 'need-more-data', bound: null, neededSamples: Math.max(0, minSamples - stageSamples(e)) };
  } else {
    held = { verdict: compare(value, gate.op, gate.threshold) ? 'pass' : 'fail', bound: null };
  }
  if (kind === 'promotion') return { ...base, ...held };
  const fired = held.verdict === 'pass' ? 'fail' : held.verdict === 'fail' ? 'pass' : 'need-more-data';
  return { ...base, ...held, verdict: fired };
}
