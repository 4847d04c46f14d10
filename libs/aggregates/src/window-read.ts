import { ALL_SLICES, type AggregateCounts, type MetricSummary } from '@penumbra/contracts';
import { type RedisClient } from '@penumbra/redis';
import { LogHistogram } from '@penumbra/stats-core';
import { windowStartsBetween } from './window-index';
import { type DifferenceExample, type WindowKeys, parseExample, windowKey } from './window-ops';

export interface MergedAggregate {
  experimentId: string;
  sliceKey: string;
  from: number;
  to: number;
  windows: number;
  counts: AggregateCounts;
  latency: { primary: LogHistogram; candidate: LogHistogram; secondary: LogHistogram };
  /** Examples are pair ids; `samples` holds the same examples with both values. */
  topPaths: Array<{ endpoint: string; path: string; count: number; examples: string[]; samples: DifferenceExample[] }>;
  /** Per "<side>:<metric name>": count, sum, min, max, last. */
  metrics: Record<string, MetricSummary>;
  /** When each metric's last value was observed, to merge windows in time order. */
  lastTs: Map<string, number>;
}

const COUNT_FIELDS: Array<keyof AggregateCounts> = [
  'pairs',
  'match',
  'mismatch',
  'candidateErrors',
  'primaryErrors',
  'bothErrors',
  'secondaryErrors',
  'statusMismatches',
  'timeouts',
  'tooLarge',
  'unknown',
];

export function emptyCounts(): AggregateCounts {
  return { pairs: 0, match: 0, mismatch: 0, candidateErrors: 0, primaryErrors: 0, bothErrors: 0, secondaryErrors: 0, statusMismatches: 0, timeouts: 0, tooLarge: 0, unknown: 0 };
}

/** Adds one window's hash into the merged aggregate. */
export function mergeWindowHash(into: MergedAggregate, hash: Record<string, string>, alpha: number): void {
  for (const f of COUNT_FIELDS) into.counts[f] += Number(hash[`c:${f}`] ?? 0);
  const sides = { p: into.latency.primary, c: into.latency.candidate, s: into.latency.secondary } as const;
  for (const [side, h] of Object.entries(sides)) {
    const part = new LogHistogram(alpha);
    part.count = Number(hash[`l${side}:n`] ?? 0);
    if (part.count === 0) continue;
    part.sum = Number(hash[`l${side}:sum`] ?? 0);
    part.min = Number(hash[`l${side}:min`] ?? Infinity);
    part.max = Number(hash[`l${side}:max`] ?? -Infinity);
    part.zeroCount = Number(hash[`l${side}:z`] ?? 0);
    const prefix = `l${side}:b:`;
    for (const [field, value] of Object.entries(hash)) if (field.startsWith(prefix)) part.bins.set(Number(field.slice(prefix.length)), Number(value));
    h.merge(part);
  }
  const parts = new Map<string, Partial<MetricSummary> & { lastTs?: number }>();
  for (const [field, value] of Object.entries(hash)) {
    if (!field.startsWith('m:')) continue;
    const [, side, name, stat, ts] = field.split(':');
    const key = `${side}:${name}`;
    const m = parts.get(key) ?? {};
    if (ts === 'ts') m.lastTs = Number(value);
    else if (stat === 'count' || stat === 'sum' || stat === 'min' || stat === 'max' || stat === 'last') m[stat] = Number(value);
    parts.set(key, m);
  }
  for (const [key, m] of parts) {
    const prev = into.metrics[key];
    const prevTs = into.lastTs.get(key) ?? -Infinity;
    const ts = m.lastTs ?? -Infinity;
    into.metrics[key] = {
      count: (prev?.count ?? 0) + (m.count ?? 0),
      sum: (prev?.sum ?? 0) + (m.sum ?? 0),
      min: Math.min(prev?.min ?? Infinity, m.min ?? Infinity),
      max: Math.max(prev?.max ?? -Infinity, m.max ?? -Infinity),
      last: ts >= prevTs ? (m.last ?? prev?.last ?? 0) : (prev?.last ?? 0),
    };
    into.lastTs.set(key, Math.max(ts, prevTs));
  }
}

/**
 * Merged metrics of an experiment and slice over [from, to): counts, latency histograms per side
 * (any quantile within the histogram's error), top differing paths with examples (unless
 * `topPaths: false`, for a reader that judges only counts: two of every window's three reads), metric summaries.
 */
export async function readAggregate(
  redis: RedisClient,
  k: WindowKeys,
  experimentId: string,
  sliceKey = ALL_SLICES,
  from = 0,
  to = Number.MAX_SAFE_INTEGER,
  alpha = 0.01,
  options: { topPaths?: boolean } = {},
): Promise<MergedAggregate> {
  const withTop = options.topPaths ?? true;
  const starts = await windowStartsBetween(redis, k, experimentId, sliceKey, from - (from % k.windowMs), to - 1);
  const out: MergedAggregate = {
    experimentId,
    sliceKey,
    from,
    to,
    windows: starts.length,
    counts: emptyCounts(),
    latency: { primary: new LogHistogram(alpha), candidate: new LogHistogram(alpha), secondary: new LogHistogram(alpha) },
    topPaths: [],
    metrics: {},
    lastTs: new Map(),
  };
  if (starts.length === 0) return out;
  const pipeline = redis.pipeline();
  const keys = starts.map((start) => windowKey(k, experimentId, sliceKey, start));
  for (const w of keys) {
    pipeline.hgetall(w.hash);
    if (withTop) pipeline.zrevrange(w.top, 0, 99, 'WITHSCORES');
  }
  const replies = (await pipeline.exec()) ?? [];
  const top = new Map<string, number>();
  const step = withTop ? 2 : 1;
  for (let i = 0; i < keys.length; i += 1) {
    mergeWindowHash(out, (replies[i * step]?.[1] ?? {}) as Record<string, string>, alpha);
    if (!withTop) continue;
    const z = (replies[i * 2 + 1]?.[1] ?? []) as string[];
    for (let j = 0; j < z.length; j += 2) top.set(z[j] as string, (top.get(z[j] as string) ?? 0) + Number(z[j + 1]));
  }
  if (!withTop) return out;
  const best = [...top].sort((a, b) => b[1] - a[1]).slice(0, 20);
  const examples = redis.pipeline();
  for (const [member] of best) for (const w of keys) examples.lrange(w.examples(member), 0, 2);
  const exReplies = (await examples.exec()) ?? [];
  out.topPaths = best.map(([member, count], i) => {
    const [endpoint = '', path = ''] = member.split('\t');
    const texts = exReplies.slice(i * keys.length, (i + 1) * keys.length).flatMap((r) => (r?.[1] ?? []) as string[]);
    const samples = [...new Map(texts.map(parseExample).map((e) => [e.pairId, e])).values()].slice(0, 3);
    return { endpoint, path, count, examples: samples.map((e) => e.pairId), samples };
  });
  return out;
}
