import { type VerdictMark, pathName } from '@penumbra/aggregates';
import { type DiffEvent } from '@penumbra/contracts';
import { type FoundDifference, isNoise, isSuspectedVolatile, pathTemplate } from '@penumbra/diff-core';
import { type CompareConfig, type PairComparison, diffEventOf } from './compare-pair';
import { NOISE_FIELDS, noiseKey } from './noise-counters';
import { type NoiseStore, type NoiseUpdate } from './noise-store';

export interface JudgedBatch {
  events: DiffEvent[];
  suppressed: number;
  suspected: number;
}

/**
 * Diffy-style noise cancellation over a batch: counts, per experiment, endpoint and path template,
 * how often the candidate differed (raw) and how often production differed from itself (noise),
 * in the shared store, then suppresses the paths whose raw rate does not clearly exceed noise.
 * Without a secondary, paths that differ in nearly every pair and look volatile are flagged. With
 * the sequential method, a path the per-path verdicts decided (`decided`, by experiment) is judged
 * by its verdict instead: noise is suppressed, a regression never is.
 */
export async function judgeNoise(
  comparisons: Array<{ c: PairComparison; config: CompareConfig }>,
  store: NoiseStore,
  keyPrefix: string,
  now: number,
  decided: Map<string, Map<string, VerdictMark>> = new Map(),
): Promise<JudgedBatch> {
  const updates = new Map<string, NoiseUpdate>();
  const keyOf = (c: PairComparison) => noiseKey(keyPrefix, c.pair.experimentId, c.pair.endpoint);
  const F = NOISE_FIELDS;
  const update = (key: string): NoiseUpdate => {
    let u = updates.get(key);
    if (!u) {
      u = { key, increments: new Map(), read: [] };
      updates.set(key, u);
    }
    return u;
  };
  const inc = (u: NoiseUpdate, field: string) => u.increments.set(field, (u.increments.get(field) ?? 0) + 1);
  const want = (u: NoiseUpdate, field: string) => {
    if (!u.read.includes(field)) u.read.push(field);
  };
  for (const { c } of comparisons) {
    if (c.outcome !== 'compared') continue;
    const u = update(keyOf(c));
    if (c.noiseTemplates) {
      inc(u, F.requests);
      c.rawTemplates.forEach((t) => inc(u, F.candidateDiffered(t)));
      c.noiseTemplates.forEach((t) => inc(u, F.productionDiffered(t)));
      want(u, F.requests);
      c.rawTemplates.forEach((t) => (want(u, F.candidateDiffered(t)), want(u, F.productionDiffered(t))));
    } else {
      inc(u, F.soloRequests);
      c.rawTemplates.forEach((t) => inc(u, F.soloDiffered(t)));
      want(u, F.soloRequests);
      c.rawTemplates.forEach((t) => want(u, F.soloDiffered(t)));
    }
  }
  const totals = await store.apply([...updates.values()]);
  let suppressedCount = 0;
  let suspectedCount = 0;
  const events = comparisons.map(({ c, config }) => {
    if (c.outcome !== 'compared' || c.differences.length === 0) return diffEventOf(c, c.differences, [], [], now);
    const t = totals.get(keyOf(c)) ?? new Map<string, number>();
    const kept: FoundDifference[] = [];
    const suppressed: string[] = [];
    const suspected: string[] = [];
    for (const d of c.differences) {
      const tpl = pathTemplate(d.path);
      const mark = config.noise.method === 'sequential' ? decided.get(c.pair.experimentId)?.get(pathName(c.pair.endpoint, tpl)) : undefined;
      if (c.noiseTemplates && mark) {
        if (mark === 'noise') suppressed.push(d.path);
        else kept.push(d);
        continue;
      }
      if (c.noiseTemplates) {
        if (isNoise({ requests: t.get(F.requests) ?? 0, raw: t.get(F.candidateDiffered(tpl)) ?? 0, noise: t.get(F.productionDiffered(tpl)) ?? 0 }, config.noise))
          suppressed.push(d.path);
        else kept.push(d);
        continue;
      }
      const flagged = isSuspectedVolatile(t.get(F.soloDiffered(tpl)) ?? 0, t.get(F.soloRequests) ?? 0, c.volatile.get(tpl) ?? false);
      if (flagged) suspected.push(d.path);
      if (flagged && config.noise.suppressSuspectedVolatile) suppressed.push(d.path);
      else kept.push(d);
    }
    suppressedCount += suppressed.length;
    suspectedCount += suspected.length;
    return diffEventOf(c, kept, suppressed, suspected, now);
  });
  return { events, suppressed: suppressedCount, suspected: suspectedCount };
}
