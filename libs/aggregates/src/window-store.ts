import { PenumbraError, UnavailableError } from '@penumbra/errors';
import { LuaScript, type RedisClient } from '@penumbra/redis';
import { APPLY_SCRIPT } from './apply-script';
import { summedBatch } from './summed-batch';
import { type EventOps, type WindowKeys, generationKey, windowIndexKey } from './window-ops';
import { indexMember } from './window-index';

const APPLY = new LuaScript(APPLY_SCRIPT);

export const AGGREGATES_DEFAULTS = {
  /** Differing paths kept per window, the most frequent first. @default 100 */
  maxTopPaths: 100,
  /** Example pairs kept per path and window. @default 3 */
  maxExamples: 3,
  /** Paths and endpoints an experiment's path counters count per rollup; past it their counts are overflow. @default 2000 */
  maxPaths: 2000,
  /** A batch of new events is applied as its summed effects, a fraction of the bytes and script work. @default true */
  sumBatches: true,
  /**
   * The most characters of JSON one script call carries; a larger part is applied in halves, in
   * order, so events built to be huge (long paths, many differences) never make one call that
   * blocks Redis or passes its argument bound. @default 4 Mi
   */
  maxScriptChars: 4 * 1024 * 1024,
} as const;

export interface WindowStoreOptions extends WindowKeys {
  retentionMs: number;
  dedupeMs: number;
  /** @default AGGREGATES_DEFAULTS.maxTopPaths */
  maxTopPaths?: number;
  /** @default AGGREGATES_DEFAULTS.maxExamples */
  maxExamples?: number;
  /** @default AGGREGATES_DEFAULTS.maxPaths */
  maxPaths?: number;
  /** Sends a batch whose events are all new as one summed set of effects (false: always event by event). @default AGGREGATES_DEFAULTS.sumBatches */
  sumBatches?: boolean;
  /** @default AGGREGATES_DEFAULTS.maxScriptChars */
  maxScriptChars?: number;
}

/** A KEYS/SCAN pattern of every applied-offset key (per group, topic, partition and experiment). */
export function appliedOffsetKeysPattern(prefix: string): string {
  return `${prefix}agg:offset:*`;
}

/** Where Redis names the aggregator's consumer group whose offsets match the rollups it holds. */
export function aggregatesMarkerKey(prefix: string): string {
  return `${prefix}agg:marker`;
}

/**
 * Window rollups in Redis, applied exactly once per partition, offset and experiment. A batch is
 * split per experiment (one Redis Cluster slot each, by the `{experimentId}` hash tag), and each
 * part moves its own applied offset in the same script as its effects.
 */
export class WindowStore {
  readonly options: Required<WindowStoreOptions>;

  constructor(
    private readonly redis: RedisClient,
    options: WindowStoreOptions,
  ) {
    this.options = { ...AGGREGATES_DEFAULTS, ...options };
  }

  /** The partition's offset key; `apply` keeps one copy of it per experiment (see experimentOffsetKey). */
  offsetKey(group: string, topic: string, partition: number): string {
    return `${appliedOffsetKeysPattern(this.options.prefix).slice(0, -1)}${group}:${topic}:${partition}`;
  }

  /** The applied offset of one experiment's events of a partition: the partition's key, in the experiment's slot. */
  experimentOffsetKey(offsetKey: string, experimentId: string): string {
    if (offsetKey.includes('{'))
      throw new PenumbraError(`an offset key carries no hash tag, the store adds the experiment's (got ${offsetKey})`, { code: 'AGG_OFFSET_KEY', retriable: false });
    return `${offsetKey}:{${experimentId}}`;
  }

  markerKey(): string {
    return aggregatesMarkerKey(this.options.prefix);
  }

  /** The consumer group whose offsets match what Redis holds (the marker), if any. */
  markedGroup(): Promise<string | null> {
    return this.redis.get(this.markerKey());
  }

  /**
   * The marked group, or `proposed` when there is no marker yet: the first replica to propose wins
   * and every other follows it. `created` says this call set the marker (Redis held no rollups).
   */
  async claimMarker(proposed: string): Promise<{ group: string; created: boolean }> {
    const created = (await this.redis.set(this.markerKey(), proposed, 'NX')) !== null;
    return { group: (await this.markedGroup()) ?? proposed, created };
  }

  /** Applies one partition's events, one script per experiment; returns how many were new. */
  async apply(offsetKey: string, events: EventOps[]): Promise<number> {
    const byExperiment = new Map<string, EventOps[]>();
    for (const e of events) {
      const part = byExperiment.get(e.experimentId);
      if (part) part.push(e);
      else byExperiment.set(e.experimentId, [e]);
    }
    // Each part is atomic and idempotent on its own, so they may run side by side: a failed part is
    // retried with the batch, and the parts that landed skip it by their own offsets.
    const parts = [...byExperiment].map(([experimentId, part]) => this.applyExperiment(this.experimentOffsetKey(offsetKey, experimentId), experimentId, part));
    const results = await Promise.allSettled(parts);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return results.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value : 0), 0);
  }

  private async applyExperiment(offsetKey: string, experimentId: string, events: EventOps[]): Promise<number> {
    const args = (payload: string, mode: 'summed' | 'events') => [
      String(Math.ceil(this.options.retentionMs / 1000)),
      String(Math.ceil(this.options.dedupeMs / 1000)),
      `${this.options.prefix}agg:{${experimentId}}:seen:`,
      payload,
      String(this.options.maxTopPaths),
      String(this.options.maxExamples),
      generationKey(this.options, experimentId),
      String(this.options.maxPaths),
      mode,
    ];
    const index = (w: EventOps['windows'][number]): [string, string, number] => [windowIndexKey(this.options, w.experimentId), indexMember(w.sliceKey, w.start), w.start];
    // Usually every event is new: then one summed batch is a fraction of the bytes and the script's work.
    const summed = this.options.sumBatches && new Set(events.map((e) => e.id)).size === events.length ? summedBatch(events, index, this.options.maxExamples) : undefined;
    const bounded = (text: string) => text.length <= this.options.maxScriptChars || events.length === 1;
    if (summed !== undefined) {
      const text = JSON.stringify(summed);
      if (!bounded(text)) return this.applyHalves(offsetKey, experimentId, events);
      const applied = await this.run(offsetKey, args(text, 'summed'));
      if (applied >= 0) return applied;
    }
    const text = JSON.stringify(events.map((e) => ({ id: e.id, o: e.offset, ops: e.ops, w: e.windows.map(index) })));
    if (!bounded(text)) return this.applyHalves(offsetKey, experimentId, events);
    return this.run(offsetKey, args(text, 'events'));
  }

  /** The first half, then the second: each call moves the applied offset past its own events. */
  private async applyHalves(offsetKey: string, experimentId: string, events: EventOps[]): Promise<number> {
    const middle = Math.ceil(events.length / 2);
    const first = await this.applyExperiment(offsetKey, experimentId, events.slice(0, middle));
    return first + (await this.applyExperiment(offsetKey, experimentId, events.slice(middle)));
  }

  private async run(offsetKey: string, args: string[]): Promise<number> {
    try {
      return Number(await APPLY.run(this.redis, [offsetKey], args));
    } catch (err) {
      const message = String((err as Error).message);
      // The script refused the batch before writing anything: not worth retrying, so the consumer narrows it to the event at fault.
      if (message.includes('FLOAT_OVERFLOW'))
        throw new PenumbraError(`window update refused: a sum would leave the double range (${message.slice(0, 300)})`, {
          code: 'AGGREGATE_OVERFLOW',
          retriable: false,
          context: { offsetKey },
        });
      throw new UnavailableError(`redis window update failed: ${message}`, { offsetKey }, err);
    }
  }

  /** One experiment's applied offset of a partition, or undefined when Redis has none (fresh or lost). */
  async appliedOffset(offsetKey: string, experimentId: string): Promise<bigint | undefined> {
    const v = await this.redis.get(this.experimentOffsetKey(offsetKey, experimentId));
    return v === null ? undefined : BigInt(v);
  }
}
