import { z } from 'zod';

const count = z.number().int().nonnegative();

/** One path's verdict: the paired counts it was judged on and what they show. */
export const pathVerdictSchema = z.object({
  endpoint: z.string().max(1024),
  path: z.string().max(2048),
  verdict: z.enum(['regression', 'noise', 'undecided']),
  counts: z.object({ n: count, candidateOnly: count, secondaryOnly: count, both: count }),
  /** The excess difference rate (candidate's minus production's) with its confidence sequence; estimate null before any pair. */
  excess: z.object({ estimate: z.number().nullable(), lower: z.number().min(-1).max(1), upper: z.number().min(-1).max(1) }),
  /** ln of the regression e-value (frozen at the value it was flagged with). */
  logEValue: z.number().optional(),
  /** For an undecided path: about how many more pairs until it is decided, were its rates to hold. */
  morePairs: count.optional(),
});
export type PathVerdictEntry = z.infer<typeof pathVerdictSchema>;

export const MAX_PATH_VERDICTS_SHOWN = 100;

/** The verdicts of every path of an experiment's rollup, carried by its all-slices (and replay) snapshots. */
export const pathVerdictsSchema = z.object({
  fdr: z.number().gt(0).lt(1),
  delta: z.number().gt(0).lt(1),
  alpha: z.number().gt(0).lt(1),
  /** K of e-BH: the paths under test, fixed in advance. */
  hypotheses: count,
  /** The upper confidence bound of the largest per-path excess difference rate (the maxExcessDiffRate gate). */
  maxExcessDiffRate: z.number().min(-1).max(1),
  regressions: count,
  noise: count,
  undecided: count,
  /** Path counts refused past the cap, and pairs whose indicators were incomplete: while non-zero no path set is shown equivalent. */
  overflow: count,
  /** Regressions first, then undecided paths by evidence, then noise; at most MAX_PATH_VERDICTS_SHOWN. */
  verdicts: z.array(pathVerdictSchema).max(MAX_PATH_VERDICTS_SHOWN),
  /** Verdicts left out past that bound. */
  omitted: count,
});
export type PathVerdicts = z.infer<typeof pathVerdictsSchema>;
