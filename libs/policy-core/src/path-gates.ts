import { type Gate, type GateEvidence, type Policy, PATH_METRICS } from '@penumbra/contracts';
import { type PathEvidence, excessBound, judgePaths, maxExcessDiffRate } from '@penumbra/stats-core';
import { compare } from './comparison';

/** The per-path paired counts of the experiment's rollup, with the settings its spec judges them by. */
export interface PathEvidenceInput {
  paths: PathEvidence[];
  /** Pairs with a secondary of the endpoint with the fewest; undefined before any. */
  pairs: number | undefined;
  /** Counts refused at the cap or left incomplete: while non-zero no path set is shown equivalent. */
  overflow: number;
  /** K of e-BH. */
  hypotheses: number;
  fdr: number;
  alpha: number;
}

type Held = Pick<GateEvidence, 'verdict' | 'bound' | 'value'>;

export function isPathMetric(metric: string): boolean {
  return (PATH_METRICS as readonly string[]).includes(metric);
}

/** Whether any stage of the policy gates on the per-path verdicts (so the sentinel reads them). */
export function usesPathMetrics(policy: Policy): boolean {
  return policy.stages.some((s) => [...s.gates, ...s.rollbackTriggers].some((g) => isPathMetric(g.metric)));
}

const upward = (op: Gate['op']) => op === '>=' || op === '>';

/**
 * maxExcessDiffRate: the condition holds once the bound on its side shows it (the upper bound of the
 * largest excess for "<=", the largest lower bound for ">="), and fails once the other side's bound
 * shows it cannot. Each bound is a confidence sequence, so either holds at any time it is read.
 */
function judgeMaxExcess(gate: Gate, p: PathEvidenceInput): Held {
  const alpha = gate.confidence === undefined ? p.alpha : 1 - gate.confidence;
  const upper = p.overflow > 0 ? 1 : maxExcessDiffRate(p.paths, alpha, p.pairs);
  const lower = Math.max(-1, ...p.paths.map((x) => excessBound(x.counts, alpha, 'lower')));
  const [mine, other] = upward(gate.op) ? [lower, upper] : [upper, lower];
  if (compare(mine, gate.op, gate.threshold)) return { verdict: 'pass', bound: mine, value: upper };
  if (!compare(other, gate.op, gate.threshold)) return { verdict: 'fail', bound: other, value: upper };
  return { verdict: 'need-more-data', bound: mine, value: upper };
}

/**
 * pathRegressions: e-BH keeps every regression once flagged, so the count only grows; a condition
 * that a count reaches ("pathRegressions >= 1") is decided the moment it holds. Any other condition
 * is judged on the count once the stage has its minimum samples.
 */
function judgeRegressions(gate: Gate, p: PathEvidenceInput, samplesShort: boolean): Held {
  const fdr = gate.confidence === undefined ? p.fdr : 1 - gate.confidence;
  const count = judgePaths(p.paths, { fdr, hypotheses: p.hypotheses, ...(p.pairs === undefined ? {} : { pairs: p.pairs }) }).verdicts.filter(
    (v) => v.verdict === 'regression',
  ).length;
  const now = compare(count, gate.op, gate.threshold);
  if (upward(gate.op) && now) return { verdict: 'pass', bound: null, value: count };
  if (samplesShort) return { verdict: 'need-more-data', bound: null, value: count };
  return { verdict: now ? 'pass' : 'fail', bound: null, value: count };
}

/** Whether a gate on the per-path verdicts holds ('pass'), cannot ('fail'), or needs more pairs. */
export function judgePathCondition(gate: Gate, paths: PathEvidenceInput | undefined, samplesShort: boolean): Held {
  if (!paths || paths.pairs === undefined) return { verdict: 'need-more-data', bound: null, value: null };
  return gate.metric === 'maxExcessDiffRate' ? judgeMaxExcess(gate, paths) : judgeRegressions(gate, paths, samplesShort);
}
