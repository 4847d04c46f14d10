import { ALL_SLICES, type AggregateSnapshot, type Evidence, type ExperimentSpec } from '@penumbra/contracts';
import { type PromotionRecord, breakerCounts } from './circuit-breaker';
import { policyHash } from './control-signing';
import { evaluate } from './engine';
import { SnapshotLedger } from './ledger';
import { noSliceWarning } from './slices';
import { type Decision, type SliceState, initialSliceState } from './state';

export interface SimulatedDecision {
  action: Decision['action'];
  fromStage: string;
  toStage: string;
  slice: string;
  at: number;
  reason: string;
  dryRun: boolean;
  samples: number;
  /** Everything the decision rests on, as the command carries it. */
  evidence: Evidence;
}

export interface Simulation {
  decisions: SimulatedDecision[];
  states: Record<string, SliceState>;
  snapshots: number;
  /** What the run could not decide on and why, e.g. per-slice decisions that saw no slice. */
  warnings: string[];
}

/**
 * Runs the sentinel's engine over recorded aggregate snapshots in time order, evaluating every
 * slice after every snapshot, exactly as the service does, and returns the decision timeline.
 * The fleet-wide circuit breaker sees this experiment's promotions only: the simulated fleet.
 */
export function simulatePolicy(spec: ExperimentSpec, snapshots: readonly AggregateSnapshot[], options: { stalledAfterMs?: number } = {}): Simulation {
  const ordered = snapshots.filter((s) => s.experimentId === spec.id).sort((a, b) => a.ts - b.ts);
  const ledger = new SnapshotLedger();
  const hash = policyHash(spec.policy);
  const states = new Map<string, SliceState>();
  const promotions: PromotionRecord[] = [];
  const decisions: SimulatedDecision[] = [];
  const perSlice = spec.slices.decidePerSlice;
  for (const snapshot of ordered) {
    ledger.add(snapshot);
    const now = snapshot.ts;
    const slices = perSlice ? ledger.slices() : [ALL_SLICES];
    for (const slice of slices) {
      const state = states.get(slice) ?? initialSliceState(Math.min(now, snapshot.window.start));
      const result = evaluate({
        policy: spec.policy,
        policyHash: hash,
        slice,
        state,
        evidence: ledger.evidence(slice, state.stageEnteredAt),
        now,
        recentPromotions: breakerCounts(spec.policy, spec.id, slice, now, promotions),
        stalledAfterMs: options.stalledAfterMs ?? 5 * 60_000,
      });
      states.set(slice, result.state);
      const d = result.decision;
      if (d === undefined) continue;
      if (d.action === 'promote' && !d.dryRun) promotions.push({ experimentId: spec.id, slice, at: now });
      decisions.push({
        action: d.action,
        fromStage: d.fromStage,
        toStage: d.toStage,
        slice,
        at: d.at,
        reason: d.reason,
        dryRun: d.dryRun,
        samples: d.evidence.samples,
        evidence: d.evidence,
      });
    }
  }
  const warnings = perSlice && ledger.slices().length === 0 && ledger.has(ALL_SLICES) ? [noSliceWarning(spec)] : [];
  return { decisions, states: Object.fromEntries(states), snapshots: ordered.length, warnings };
}
