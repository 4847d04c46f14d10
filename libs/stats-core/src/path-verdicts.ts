import { eBHStopped } from './e-bh';
import { EMPTY_COUNTS, assertLevel, excessBound, excessConfidenceSequence, logRegressionEvidence, pairsToDecide, type ExcessBounds, type PairCounts } from './paired-difference';

/**
 * Per-path verdicts for one experiment: which paths regressed (e-BH over every path's regression
 * e-process, false discovery rate at most `fdr`), which differ only as production differs from
 * itself (upper bound of the excess below `delta`), and which need more pairs.
 */

export interface PathEvidence {
  path: string;
  counts: PairCounts;
  /** ln of the e-value the path was judged a regression with, when it was: kept with the counts. */
  flaggedLogEValue?: number;
}

export interface JudgeOptions {
  /** The false discovery rate across the experiment's paths (default 0.05). */
  fdr?: number;
  /** The equivalence margin: a path is noise once its excess is shown below it (default 0.001). */
  delta?: number;
  /** The level of each path's bound, 1 - confidence (default 0.05). */
  alpha?: number;
  /**
   * K: how many paths are under test, fixed before their differences are seen (the endpoints'
   * path templates). Paths not given count with e-value 1. Default: the number of paths given.
   */
  hypotheses?: number;
  /**
   * Pairs with a secondary seen by the experiment (the fewest of its endpoints'): a path that
   * never differed is bounded as if its counts were all zero over that many pairs.
   */
  pairs?: number;
}

interface VerdictBase {
  path: string;
  counts: PairCounts;
  /** The excess difference rate, candidate's minus production's, with its confidence sequence. */
  excess: ExcessBounds;
}

export type PathVerdict =
  | (VerdictBase & { verdict: 'regression'; eValue: number; logEValue: number })
  | (VerdictBase & { verdict: 'noise' })
  | (VerdictBase & { verdict: 'undecided'; logEValue: number; morePairs: number | undefined });

export interface ExperimentVerdicts {
  verdicts: PathVerdict[];
  /** Paths judged a regression now for the first time, with the e-value to keep for them. */
  newlyFlagged: Array<{ path: string; logEValue: number }>;
  /** The upper confidence bound on the largest per-path excess difference rate (the gate metric). */
  maxExcessDiffRate: number;
  /** ln of the e-value a further path needs now to be judged a regression. */
  logThreshold: number;
}

export function judgePaths(paths: readonly PathEvidence[], options: JudgeOptions = {}): ExperimentVerdicts {
  const fdr = options.fdr ?? 0.05;
  const delta = options.delta ?? 0.001;
  const alpha = options.alpha ?? 0.05;
  assertLevel(fdr);
  assertLevel(alpha);
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must lie in (0, 1), got ${delta}`);
  const hypotheses = options.hypotheses ?? paths.length;
  const tested = eBHStopped(
    paths.map((p) => ({ logEValue: logRegressionEvidence(p.counts), frozenLogEValue: p.flaggedLogEValue })),
    fdr,
    hypotheses,
  );
  // The bounds shown for the selected paths are at level fdr R / K, so that their false coverage
  // rate stays under fdr (e-BY: Xu, Wang & Ramdas 2024).
  const selectedLevel = Math.min(alpha, (fdr * Math.max(tested.count, 1)) / Math.max(hypotheses, 1));
  const nextTarget = Math.log(hypotheses / (fdr * (tested.count + 1)));
  const newlyFlagged: ExperimentVerdicts['newlyFlagged'] = [];
  const verdicts = paths.map((p, i): PathVerdict => {
    const logEValue = tested.logEValues[i] as number;
    if (tested.rejected[i]) {
      if (p.flaggedLogEValue === undefined) newlyFlagged.push({ path: p.path, logEValue });
      const excess = excessConfidenceSequence(p.counts, selectedLevel);
      return { path: p.path, counts: p.counts, excess, verdict: 'regression', eValue: Math.exp(logEValue), logEValue };
    }
    const excess = excessConfidenceSequence(p.counts, alpha);
    if (excess.upper < delta) return { path: p.path, counts: p.counts, excess, verdict: 'noise' };
    return { path: p.path, counts: p.counts, excess, verdict: 'undecided', logEValue, morePairs: morePairs(p.counts, nextTarget, delta, alpha) };
  });
  return { verdicts, newlyFlagged, maxExcessDiffRate: maxExcessDiffRate(paths, alpha, options.pairs), logThreshold: tested.logThreshold };
}

function morePairs(counts: PairCounts, logTarget: number, delta: number, alpha: number): number | undefined {
  const total = pairsToDecide(counts, { logTarget, delta, alpha });
  return total === undefined ? undefined : Math.max(0, total - counts.n);
}

/**
 * The gate metric: the largest of the paths' upper bounds, each at level alpha. No correction for
 * the number of paths is needed: if the largest true excess lies above the largest bound, then so
 * does the excess of the path that has it above its own bound, which happens with probability at
 * most alpha (the intersection-union principle, Berger 1982). Since every bound is a confidence
 * sequence, "maxExcessDiffRate <= delta" is then wrong with probability at most alpha however often
 * it is read. Without paths and without pairs nothing is known, and the bound is 1.
 */
export function maxExcessDiffRate(paths: readonly PathEvidence[], alpha: number, pairs?: number): number {
  assertLevel(alpha);
  let max = pairs !== undefined ? excessBound({ ...EMPTY_COUNTS, n: pairs }, alpha, 'upper') : paths.length === 0 ? 1 : -1;
  for (const p of paths) max = Math.max(max, excessBound(p.counts, alpha, 'upper'));
  return max;
}
