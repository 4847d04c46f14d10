import { type AggregateCounts, type Policy, policySchema } from '@penumbra/contracts';
import { type EvaluationContext } from './engine';
import { type EvidenceInput, emptyEvidence } from './evidence';
import { type SliceState, initialSliceState } from './state';

export const T0 = 1_800_000_000_000;
export const SEC = 1000;

export function policy(input: unknown): Policy {
  return policySchema.parse(input);
}

/** Evidence with `pairs` samples of which `match` matched; latency p99 per side when given. */
export function evidence(pairs: number, match: number, extra: Partial<AggregateCounts> = {}, latency?: { primary: number; candidate: number; secondary?: number }): EvidenceInput {
  const e = emptyEvidence();
  e.counts = { ...e.counts, pairs, match, mismatch: pairs - match, ...extra };
  if (latency) {
    const side = (v: number) => ({ count: pairs, p50: v / 2, p90: v * 0.9, p99: v });
    e.latency = { primary: side(latency.primary), candidate: side(latency.candidate), secondary: latency.secondary === undefined ? e.latency.secondary : side(latency.secondary) };
  }
  return e;
}

export function context(p: Policy, state: SliceState, e: EvidenceInput, now: number, extra: Partial<EvaluationContext> = {}): EvaluationContext {
  return { policy: p, policyHash: 'a'.repeat(64), slice: '*', state, evidence: e, now, recentPromotions: { experiment: 0, fleet: 0 }, stalledAfterMs: 60 * SEC, ...extra };
}

export function fresh(patch: Partial<SliceState> = {}): SliceState {
  return { ...initialSliceState(T0), ...patch };
}
