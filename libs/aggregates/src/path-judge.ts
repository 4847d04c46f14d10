import { ALL_SLICES, MAX_PATH_VERDICTS_SHOWN, type PathVerdictEntry, type PathVerdicts, isReplaySliceKey } from '@penumbra/contracts';
import { type PathVerdict, judgePaths } from '@penumbra/stats-core';
import { type RollupPathEvidence, type VerdictMark } from './path-counters';

export interface PathJudgeSettings {
  fdr: number;
  delta: number;
  alpha: number;
  /** K of e-BH, fixed in advance; when more paths differed, K is how many did. */
  maxPaths: number;
}

export interface JudgedPaths {
  verdicts: PathVerdicts;
  /** Paths judged a regression now for the first time, with the e-value to freeze for them. */
  newlyFlagged: Array<{ path: string; logEValue: number }>;
  /** Every decided path by name (see pathName): what the comparator's sequential noise method reads. */
  decided: Map<string, VerdictMark>;
}

/** K of e-BH: the paths fixed in advance, or, when more differed, how many did. */
export function pathHypotheses(maxPaths: number, pathsSeen: number): number {
  return Math.max(maxPaths, pathsSeen, 1);
}

/** The path counters a slice is judged on: its own rollup for all slices and replays, all slices' for a single slice (paths are counted per experiment). */
export function pathRollupOf(slice: string): string {
  return slice === ALL_SLICES || isReplaySliceKey(slice) ? slice : ALL_SLICES;
}

const RANK: Record<PathVerdict['verdict'], number> = { regression: 0, undecided: 1, noise: 2 };

/**
 * Every path's verdict of a rollup, in the snapshot's shape. While any count was refused at the cap
 * or any pair's indicators were incomplete, some path's counts are unknown, so the bound on the
 * largest excess is 1: no candidate is shown equivalent on evidence that is missing.
 */
export function judgeRollupPaths(e: RollupPathEvidence, s: PathJudgeSettings): JudgedPaths {
  const hypotheses = pathHypotheses(s.maxPaths, e.paths.length);
  const judged = judgePaths(e.paths, { fdr: s.fdr, delta: s.delta, alpha: s.alpha, hypotheses, ...(e.pairs === undefined ? {} : { pairs: e.pairs }) });
  const byName = new Map(e.paths.map((p) => [p.path, p]));
  const entries = judged.verdicts.map((v) => entryOf(v, byName.get(v.path)));
  entries.sort((a, b) => RANK[a.verdict] - RANK[b.verdict] || (b.logEValue ?? -Infinity) - (a.logEValue ?? -Infinity));
  const tally = (verdict: PathVerdict['verdict']) => judged.verdicts.filter((v) => v.verdict === verdict).length;
  return {
    verdicts: {
      fdr: s.fdr,
      delta: s.delta,
      alpha: s.alpha,
      hypotheses,
      maxExcessDiffRate: e.overflow > 0 ? 1 : clamp(judged.maxExcessDiffRate),
      regressions: tally('regression'),
      noise: tally('noise'),
      undecided: tally('undecided'),
      overflow: e.overflow,
      verdicts: entries.slice(0, MAX_PATH_VERDICTS_SHOWN),
      omitted: Math.max(0, entries.length - MAX_PATH_VERDICTS_SHOWN),
    },
    newlyFlagged: judged.newlyFlagged,
    decided: new Map(judged.verdicts.flatMap((v): Array<[string, VerdictMark]> => (v.verdict === 'undecided' ? [] : [[v.path, v.verdict]]))),
  };
}

function clamp(x: number): number {
  return Math.min(1, Math.max(-1, x));
}

function finite(x: number): number | undefined {
  return Number.isFinite(x) ? x : undefined;
}

function entryOf(v: PathVerdict, source: { endpoint: string; template: string } | undefined): PathVerdictEntry {
  const logEValue = v.verdict === 'noise' ? undefined : finite(v.logEValue);
  const morePairs = v.verdict === 'undecided' ? v.morePairs : undefined;
  return {
    endpoint: source?.endpoint ?? '',
    path: source?.template ?? v.path,
    verdict: v.verdict,
    counts: v.counts,
    excess: { estimate: finite(v.excess.estimate) ?? null, lower: clamp(v.excess.lower), upper: clamp(v.excess.upper) },
    ...(logEValue === undefined ? {} : { logEValue }),
    ...(morePairs === undefined ? {} : { morePairs }),
  };
}
