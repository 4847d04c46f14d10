import { type GateEvidence, type Stage } from '@penumbra/contracts';
import { type EvidenceInput, emptyEvidence, judgeGate } from '@penumbra/policy-core';

export interface GatePoint {
  at: number;
  value: number | null;
  bound: number | null;
  verdict: GateEvidence['verdict'];
}

export interface GateHistory {
  gate: string;
  kind: GateEvidence['kind'];
  op: string;
  threshold: number;
  points: GatePoint[];
}

/**
 * Each gate and trigger of a stage judged, with the sentinel's own code, on the evidence as it
 * grew: every point is the evidence merged from the first window up to that time. It shows how
 * the value and its confidence bound moved toward (or across) the threshold.
 */
export function gateHistory(stage: Stage, minSamples: number, points: ReadonlyArray<{ at: number; evidence: EvidenceInput }>): GateHistory[] {
  const judged = [...stage.gates.map((g) => ({ g, kind: 'promotion' as const })), ...stage.rollbackTriggers.map((g) => ({ g, kind: 'rollback' as const }))];
  return judged.map(({ g, kind }) => {
    const series = points.map(({ at, evidence }) => {
      const e = judgeGate(g, kind, evidence, minSamples);
      return { at, value: e.value, bound: e.bound, verdict: e.verdict };
    });
    const first = judgeGate(g, kind, points[0]?.evidence ?? emptyEvidence(), minSamples);
    return { gate: first.gate, kind, op: first.op, threshold: first.threshold, points: series };
  });
}

/** At most `max` indexes out of `n`, evenly spread, always keeping the last. */
export function spread(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const step = (n - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => Math.round(i * step));
}
