import { BUILTIN_METRICS, type BuiltinMetric, type Gate, type Stage } from '@penumbra/contracts';
import { type EarlyLook, firstLookSamples } from '@penumbra/stats-core';
import { type EvidenceInput, rateSample } from './evidence';
import { type GateKind } from './gates';
import { type FirstLookRecord, MAX_FIRST_LOOKS, type SliceState } from './state';

/**
 * The early looks of a stage's rate tests. Each test with a confidence spends part of its alpha on
 * one exact look on its rollback side (stats-core's first-look.ts), taken at the first evaluation
 * whose samples reach `firstLookSamples(threshold)`. When that happens depends on the traffic and
 * the evaluation schedule, not on the outcomes, so the look is one fixed-sample test; recording its
 * counts in the slice's state makes every later evaluation re-use that verdict instead of looking
 * again. A state rebuilt without them forfeits the looks (the mixture part alone is still sound).
 */

const isBuiltin = (m: string): m is BuiltinMetric => (BUILTIN_METRICS as readonly string[]).includes(m);

/** Names a test by what it judges, not by the gate's display name, which two gates may share. */
export function lookKey(gate: Gate, kind: GateKind): string {
  return `${kind}:${gate.metric} ${gate.op} ${gate.threshold} @${gate.confidence ?? '-'}`;
}

/** The look recorded for a test, if it was taken in this stage. */
export function lookOf(records: readonly FirstLookRecord[], gate: Gate, kind: GateKind): EarlyLook | undefined {
  const key = lookKey(gate, kind);
  const found = records.find((r) => r.test === key);
  return found === undefined ? undefined : { successes: found.successes, trials: found.trials };
}

/** The stage's looks after this evaluation: those recorded before, and those due now. */
export function takeFirstLooks(
  stage: Pick<Stage, 'gates' | 'rollbackTriggers'>,
  evidence: EvidenceInput,
  state: Pick<SliceState, 'firstLooks' | 'firstLooksLost'>,
): FirstLookRecord[] {
  const records = [...state.firstLooks];
  if (state.firstLooksLost) return records;
  const tests: Array<[Gate, GateKind]> = [...stage.gates.map((g): [Gate, GateKind] => [g, 'promotion']), ...stage.rollbackTriggers.map((g): [Gate, GateKind] => [g, 'rollback'])];
  for (const [gate, kind] of tests) {
    if (records.length >= MAX_FIRST_LOOKS) break;
    if (gate.confidence === undefined || gate.op === '==' || gate.op === '!=' || !isBuiltin(gate.metric)) continue;
    const test = lookKey(gate, kind);
    if (records.some((r) => r.test === test)) continue;
    const rate = rateSample(gate.metric, evidence.counts);
    if (rate === undefined || rate.trials < firstLookSamples(gate.threshold)) continue;
    records.push({ test, successes: rate.successes, trials: rate.trials });
  }
  return records;
}
