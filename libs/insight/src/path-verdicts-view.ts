import { type MergedAggregate, type WindowKeys, judgeRollupPaths, pathRollupOf, readPathEvidence } from '@penumbra/aggregates';
import { type ExperimentRecord, type PathVerdictEntry, type PathVerdicts } from '@penumbra/contracts';
import { type RedisClient } from '@penumbra/redis';

/**
 * Every path's verdict since the experiment began, judged as the aggregator judges them (a slice
 * decided on its own shows those of all slices). Read only: nothing is frozen from here.
 */
export async function readPathVerdicts(redis: RedisClient, windows: WindowKeys, record: ExperimentRecord, slice: string): Promise<PathVerdicts | undefined> {
  const evidence = await readPathEvidence(redis, windows, record.experimentId, pathRollupOf(slice));
  if (evidence.pairs === undefined && evidence.overflow === 0) return undefined;
  return judgeRollupPaths(evidence, record.spec.compare.verdicts).verdicts;
}

export interface DiffRow {
  endpoint: string;
  path: string;
  /** Pairs that showed the difference in the period read (noise cancelled ones are not counted). */
  pairs: number;
  share: number;
  verdict: PathVerdictEntry['verdict'] | 'no secondary';
  excess?: PathVerdictEntry['excess'];
  morePairs?: number;
  example?: MergedAggregate['topPaths'][number]['samples'][number];
}

const RANK: Record<DiffRow['verdict'], number> = { regression: 0, undecided: 1, 'no secondary': 2, noise: 3 };

/** The differing paths of the period and every judged path, one row each, regressions first. */
export function diffRows(agg: Pick<MergedAggregate, 'topPaths' | 'counts'>, verdicts: PathVerdicts | undefined): DiffRow[] {
  const key = (endpoint: string, path: string) => JSON.stringify([endpoint, path]);
  const judged = new Map((verdicts?.verdicts ?? []).map((v) => [key(v.endpoint, v.path), v]));
  const rows = new Map<string, DiffRow>();
  for (const p of agg.topPaths) {
    const v = judged.get(key(p.endpoint, p.path));
    rows.set(key(p.endpoint, p.path), {
      endpoint: p.endpoint,
      path: p.path,
      pairs: p.count,
      share: agg.counts.pairs === 0 ? 0 : p.count / agg.counts.pairs,
      ...verdictPart(v),
      ...(p.samples[0] ? { example: p.samples[0] } : {}),
    });
  }
  for (const [k, v] of judged) if (!rows.has(k)) rows.set(k, { endpoint: v.endpoint, path: v.path, pairs: 0, share: 0, ...verdictPart(v) });
  return [...rows.values()].sort((a, b) => RANK[a.verdict] - RANK[b.verdict] || b.pairs - a.pairs || (b.excess?.upper ?? 0) - (a.excess?.upper ?? 0));
}

function verdictPart(v: PathVerdictEntry | undefined): Pick<DiffRow, 'verdict' | 'excess' | 'morePairs'> {
  if (!v) return { verdict: 'no secondary' };
  return { verdict: v.verdict, excess: v.excess, ...(v.morePairs === undefined ? {} : { morePairs: v.morePairs }) };
}

const pct = (x: number) => `${(100 * x).toFixed(x !== 0 && Math.abs(x) < 0.001 ? 3 : 2)}%`;

/** "+0.41% [+0.22%, +0.63%]": the excess difference rate and its confidence sequence. */
export function excessText(e: DiffRow['excess']): string {
  if (!e || e.estimate === null) return '-';
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${pct(x)}`;
  return `${signed(e.estimate)} [${signed(e.lower)}, ${signed(e.upper)}]`;
}

/** The verdict column: an undecided path says about how many more pairs it needs. */
export function verdictText(r: DiffRow): string {
  return r.verdict === 'undecided' && r.morePairs !== undefined ? `undecided (~${r.morePairs} more pairs)` : r.verdict;
}

/** One line over the verdicts: what they count, at what error rates, and the equivalence bound. */
export function verdictSummary(v: PathVerdicts): string {
  const overflow = v.overflow > 0 ? `; ${v.overflow} count(s) past the path cap or incomplete, so no equivalence is shown` : '';
  return (
    `per-path verdicts since the experiment began (false discovery rate ${pct(v.fdr)}, margin ${pct(v.delta)}): ` +
    `${v.regressions} regression(s), ${v.undecided} undecided, ${v.noise} noise; largest excess at most ${pct(v.maxExcessDiffRate)} (${pct(1 - v.alpha)} confidence)${overflow}`
  );
}
