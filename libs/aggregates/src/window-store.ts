import { PenumbraError, UnavailableError } from '@penumbra/errors';
import { type RedisClient } from '@penumbra/redis';
import { APPLY_SCRIPT } from './apply-script';
import { type EventOps, type WindowKeys, windowIndexKey } from './window-ops';

export interface WindowStoreOptions extends WindowKeys {
  retentionMs: number;
  dedupeMs: number;
  maxTopPaths: number;
  maxExamples: number;
}

/** Where Redis names the aggregator's consumer group whose offsets match the rollups it holds. */
export function aggregatesMarkerKey(prefix: string): string {
  return `${prefix}agg:marker`;
}

/** Window rollups in Redis, applied exactly once per partition and offset. */
export class WindowStore {
  private scriptSha: string | undefined;

  constructor(
    private readonly redis: RedisClient,
    readonly options: WindowStoreOptions,
  ) {}

  offsetKey(group: string, topic: string, partition: number): string {
    return `${this.options.prefix}agg:offset:${group}:${topic}:${partition}`;
  }

  markerKey(): string {
    return aggregatesMarkerKey(this.options.prefix);
  }

  /** Applies one partition's events; returns how many were new. */
  async apply(offsetKey: string, events: EventOps[]): Promise<number> {
    if (events.length === 0) return 0;
    const payload = JSON.stringify(
      events.map((e) => ({
        id: e.id,
        x: e.experimentId,
        o: e.offset,
        ops: e.ops,
        w: e.windows.map((w) => [windowIndexKey(this.options, w.experimentId), `${w.sliceKey}|${w.start}`, w.start]),
      })),
    );
    const args = [
      String(Math.ceil(this.options.retentionMs / 1000)),
      String(Math.ceil(this.options.dedupeMs / 1000)),
      `${this.options.prefix}agg:seen:`,
      payload,
      String(this.options.maxTopPaths),
      String(this.options.maxExamples),
      `${this.options.prefix}agg:`,
    ];
    try {
      this.scriptSha ??= (await this.redis.script('LOAD', APPLY_SCRIPT)) as string;
      try {
        return Number(await this.redis.evalsha(this.scriptSha, 1, offsetKey, ...args));
      } catch (err) {
        if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
        return Number(await this.redis.eval(APPLY_SCRIPT, 1, offsetKey, ...args));
      }
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

  /** The applied offset of a partition, or undefined when Redis has none (fresh or lost). */
  async appliedOffset(offsetKey: string): Promise<bigint | undefined> {
    const v = await this.redis.get(offsetKey);
    return v === null ? undefined : BigInt(v);
  }
}
