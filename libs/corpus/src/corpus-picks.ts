import { ALL_SLICES, type AggregateSnapshot, type Command, REPLAY_ID_SUFFIX } from '@penumbra/contracts';

/** A path to save to the corpus, with the traffic ids of pairs that showed it. */
export interface CorpusPick {
  endpoint: string;
  path: string;
  reason: 'rollback' | 'regression';
  trafficIds: string[];
}

export const CORPUS_DEFAULTS = {
  /** Paths saved for a rollback without a path judged a regression: the most frequent differences. @default 5 */
  rollbackPaths: 5,
  /** Traffic records read at most when looking for the saved pairs' requests. @default 200000 */
  maxScan: 200_000,
  /** How far before the snapshot's window the requests may have been captured. @default 120000 */
  captureLeadMs: 120_000,
  /** How far back a trigger reads the experiment's snapshots for example pairs. @default 900000 (15 minutes) */
  lookbackMs: 15 * 60_000,
} as const;

/** The traffic id of a live pair of the experiment; undefined for a replayed pair or another experiment's. */
export function trafficIdOf(pairId: string, experimentId: string): string | undefined {
  const prefix = `${experimentId}:`;
  if (!pairId.startsWith(prefix) || pairId.endsWith(REPLAY_ID_SUFFIX)) return undefined;
  const id = pairId.slice(prefix.length);
  return id.length > 0 ? id : undefined;
}

/** The traffic ids of pairs that showed a path, as gathered from the experiment's snapshots. */
export type ExampleIds = (endpoint: string, path: string) => string[];

/** The traffic ids a snapshot holds as examples of each of its top paths. */
export function snapshotExamples(s: AggregateSnapshot): Array<{ endpoint: string; path: string; trafficIds: string[] }> {
  return s.topPaths.map((p) => ({ endpoint: p.endpoint, path: p.path, trafficIds: [...new Set(p.examples.flatMap((id) => trafficIdOf(id, s.experimentId) ?? []))] }));
}

/** The paths a live all-slices snapshot judged a regression, with the pairs seen to show them. */
export function regressionPicks(s: AggregateSnapshot, examples: ExampleIds): CorpusPick[] {
  if (s.sliceKey !== ALL_SLICES) return [];
  return (s.paths?.verdicts ?? [])
    .filter((v) => v.verdict === 'regression')
    .map((v) => ({ endpoint: v.endpoint, path: v.path, reason: 'regression' as const, trafficIds: examples(v.endpoint, v.path) }))
    .filter((p) => p.trafficIds.length > 0);
}

/**
 * What a rollback saves, from the experiment's latest snapshot: the paths judged a regression, or,
 * without verdicts (no secondary), its most frequent differences.
 */
export function rollbackPicks(c: Command, latest: AggregateSnapshot | undefined, examples: ExampleIds, rollbackPaths: number = CORPUS_DEFAULTS.rollbackPaths): CorpusPick[] {
  if (c.action !== 'rollback' || !latest || latest.experimentId !== c.experimentId) return [];
  const regressed = regressionPicks(latest, examples);
  if (regressed.length > 0) return regressed.map((p) => ({ ...p, reason: 'rollback' }));
  return latest.topPaths
    .slice(0, rollbackPaths)
    .map((p) => ({ endpoint: p.endpoint, path: p.path, reason: 'rollback' as const, trafficIds: examples(p.endpoint, p.path) }))
    .filter((p) => p.trafficIds.length > 0);
}
