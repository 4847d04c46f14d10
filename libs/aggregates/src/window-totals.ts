import { type RedisClient } from '@penumbra/redis';
import { DEFAULT_ALPHA, LogHistogram } from '@penumbra/stats-core';
import { unavailableUnless } from './redis-read';
import { parseIndexMember, windowStartsBetween } from './window-index';
import { type WindowKeys, generationKey, windowChangesKey, windowKey, windowSequenceKey } from './window-ops';
import { type MergedAggregate, emptyCounts, mergeWindowHash, readAggregate } from './window-read';

export const WINDOW_TOTALS_DEFAULTS = {
  /** Windows of a slice kept one by one, the newest; older ones are folded into one sum. @default 64 */
  recentWindows: 64,
  /** Experiment slices whose totals are kept, the least recently read dropped first. @default 1000 */
  maxEntries: 1_000,
} as const;

export interface WindowTotalsOptions {
  /** The histograms' relative error. @default DEFAULT_ALPHA */
  alpha?: number;
  /** @default WINDOW_TOTALS_DEFAULTS.recentWindows */
  recentWindows?: number;
  /** @default WINDOW_TOTALS_DEFAULTS.maxEntries */
  maxEntries?: number;
}

interface Entry {
  from: number;
  generation: string;
  /** The experiment's change sequence this entry has read up to. */
  sequence: number;
  /** Every window of the slice with a start below `foldedBelow`, summed. */
  folded: MergedAggregate;
  foldedBelow: number;
  /** The newer windows, each as Redis holds it, by start. */
  recent: Map<number, Record<string, string>>;
}

/**
 * A slice's windows since a time, merged, as a reader that asks again and again (the sentinel,
 * every evaluation) needs them: the first read merges every window, and later ones read only the
 * windows the aggregator changed since (it numbers its changes per experiment), so a read costs
 * the same in the first minute of a stage and after a day. A change to a window already folded
 * into the sum (a very late event) or a rebuild makes the next read merge everything again.
 */
export class WindowTotals {
  private readonly entries = new Map<string, Entry>();
  private readonly options: Required<WindowTotalsOptions>;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: WindowKeys,
    options: WindowTotalsOptions = {},
  ) {
    this.options = { alpha: DEFAULT_ALPHA, ...WINDOW_TOTALS_DEFAULTS, ...options };
  }

  /** The same as readAggregate(…, from, to, alpha, { topPaths: false }). */
  async read(experimentId: string, sliceKey: string, from: number, to: number): Promise<MergedAggregate> {
    const name = `${experimentId}\u0000${sliceKey}`;
    const [generation, sequence] = await unavailableUnless(`the window changes of ${experimentId}`, () =>
      this.redis.mget(generationKey(this.keys, experimentId), windowSequenceKey(this.keys, experimentId)),
    );
    const now = { generation: generation ?? '0', sequence: Number(sequence ?? 0) };
    let entry = this.entries.get(name);
    this.entries.delete(name);
    if (entry === undefined || entry.from !== from || entry.generation !== now.generation || !(await this.refresh(entry, experimentId, sliceKey, now.sequence)))
      entry = await this.readAll(experimentId, sliceKey, from, now);
    this.entries.set(name, entry);
    if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value ?? name);
    // The sum holds windows up to foldedBelow: a read that ends before some of them is merged afresh.
    if (entry.foldedBelow > to) return readAggregate(this.redis, this.keys, experimentId, sliceKey, from, to, this.options.alpha, { topPaths: false });
    this.fold(entry, to);
    return this.merged(entry, to);
  }

  /** Reads the windows changed since the entry's sequence; false when a folded one changed. */
  private async refresh(entry: Entry, experimentId: string, sliceKey: string, sequence: number): Promise<boolean> {
    if (sequence <= entry.sequence) return true;
    const members = await unavailableUnless(`the window changes of ${experimentId}`, () =>
      this.redis.zrangebyscore(windowChangesKey(this.keys, experimentId), `(${entry.sequence}`, sequence),
    );
    const starts = members
      .map(parseIndexMember)
      .filter((m) => m.sliceKey === sliceKey && m.start >= alignedFrom(entry.from, this.keys.windowMs))
      .map((m) => m.start);
    if (starts.some((s) => s < entry.foldedBelow)) return false;
    for (const [start, hash] of await this.hashes(experimentId, sliceKey, starts)) entry.recent.set(start, hash);
    entry.sequence = sequence;
    return true;
  }

  private async readAll(experimentId: string, sliceKey: string, from: number, now: { generation: string; sequence: number }): Promise<Entry> {
    const starts = await windowStartsBetween(this.redis, this.keys, experimentId, sliceKey, alignedFrom(from, this.keys.windowMs), Number.MAX_SAFE_INTEGER);
    const entry: Entry = { from, generation: now.generation, sequence: now.sequence, folded: this.empty(experimentId, sliceKey), foldedBelow: -Infinity, recent: new Map() };
    for (const [start, hash] of await this.hashes(experimentId, sliceKey, starts)) entry.recent.set(start, hash);
    return entry;
  }

  private async hashes(experimentId: string, sliceKey: string, starts: number[]): Promise<Array<[number, Record<string, string>]>> {
    if (starts.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const start of starts) pipeline.hgetall(windowKey(this.keys, experimentId, sliceKey, start).hash);
    const replies = await unavailableUnless(`the windows of ${experimentId}`, async () => (await pipeline.exec()) ?? []);
    return starts.map((start, i) => [start, (replies[i]?.[1] ?? {}) as Record<string, string>]);
  }

  /** Folds the oldest windows past `recentWindows` that end before `to` into the sum. */
  private fold(entry: Entry, to: number): void {
    const extra = entry.recent.size - this.options.recentWindows;
    if (extra <= 0) return;
    for (const start of [...entry.recent.keys()]
      .filter((s) => s + this.keys.windowMs <= to)
      .sort((a, b) => a - b)
      .slice(0, extra)) {
      mergeWindowHash(entry.folded, entry.recent.get(start) ?? {}, this.options.alpha);
      entry.folded.windows += 1;
      entry.recent.delete(start);
      entry.foldedBelow = Math.max(entry.foldedBelow, start + this.keys.windowMs);
    }
  }

  private merged(entry: Entry, to: number): MergedAggregate {
    const out = copyOf(entry.folded, this.options.alpha);
    out.from = entry.from;
    out.to = to;
    const starts = [...entry.recent.keys()].filter((s) => s <= to - 1).sort((a, b) => a - b);
    for (const start of starts) mergeWindowHash(out, entry.recent.get(start) ?? {}, this.options.alpha);
    out.windows = entry.folded.windows + starts.length;
    return out;
  }

  private empty(experimentId: string, sliceKey: string): MergedAggregate {
    const h = () => new LogHistogram(this.options.alpha);
    return {
      experimentId,
      sliceKey,
      from: 0,
      to: 0,
      windows: 0,
      counts: emptyCounts(),
      latency: { primary: h(), candidate: h(), secondary: h() },
      topPaths: [],
      metrics: {},
      lastTs: new Map(),
    };
  }
}

function alignedFrom(from: number, windowMs: number): number {
  return from - (from % windowMs);
}

/** A copy of a merged sum that later merges can add to without touching the original. */
function copyOf(m: MergedAggregate, alpha: number): MergedAggregate {
  const histogram = (h: LogHistogram) => new LogHistogram(alpha).merge(h);
  return {
    ...m,
    counts: { ...m.counts },
    latency: { primary: histogram(m.latency.primary), candidate: histogram(m.latency.candidate), secondary: histogram(m.latency.secondary) },
    topPaths: [],
    metrics: { ...m.metrics },
    lastTs: new Map(m.lastTs),
  };
}
