import { randomBytes } from 'node:crypto';
import { type z } from 'zod';
import { type Logger } from '@penumbra/observability';
import { decodeRecord } from './decode';
import { type ConsumerPort, type KafkaClient } from './ports';
import { UnavailableError } from '@penumbra/errors';

export interface TopicTableOptions<T> {
  client: KafkaClient;
  topic: string;
  /** Schema of a value; a null value (tombstone) deletes the key. */
  schema: z.ZodType<T>;
  /** Each instance reads every partition, so it joins a group of its own. */
  groupPrefix: string;
  logger: Logger;
  onChange?: (key: string, value: T | undefined) => void;
  onInvalid?: (reason: string) => void;
  /**
   * The key a value must be stored under. A record whose Kafka key names another row is refused:
   * otherwise a record keyed `x` whose body names `E` would change what readers of the body do
   * for `E` while the row `E` still holds the real value.
   */
  keyOf?: (value: T) => string;
  /**
   * Why a decoded value, or a tombstone (undefined) of a row held, may not be used (say, it is not
   * signed), or undefined to use it; a refused record leaves the row as it was.
   */
  verify?: (key: string, value: T | undefined, headers: Record<string, string>) => string | undefined;
  /** A record `verify` refused, with where it was and why. */
  onRefused?: (key: string, value: T | undefined, reason: string, where: string) => void;
}

/**
 * A compacted topic held in memory as a table (latest value per key), kept live. Every instance
 * reads the whole topic from the beginning; nothing is committed.
 */
export class TopicTable<T> {
  private readonly rows = new Map<string, T>();
  private consumer: ConsumerPort | undefined;
  private caughtUp = false;
  private targets = new Map<number, bigint>();
  private readonly seen = new Map<number, bigint>();
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly options: TopicTableOptions<T>) {}

  get ready(): boolean {
    return this.caughtUp;
  }

  get size(): number {
    return this.rows.size;
  }

  get(key: string): T | undefined {
    return this.rows.get(key);
  }

  values(): T[] {
    return [...this.rows.values()];
  }

  /** Starts reading and resolves once the table holds everything written before the call. */
  async start(timeoutMs = 60_000): Promise<void> {
    const o = this.options;
    const admin = await o.client.admin();
    try {
      const offsets = await admin.topicOffsets(o.topic);
      this.targets = new Map(offsets.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high) - 1n]));
    } finally {
      await admin.disconnect();
    }
    this.checkCaughtUp();
    const consumer = o.client.consumer({ groupId: `${o.groupPrefix}-${randomBytes(6).toString('hex')}`, sessionTimeoutMs: 10_000 });
    this.consumer = consumer;
    await consumer.subscribe([o.topic], { fromBeginning: true });
    await consumer.run(async (batch, control) => {
      for (const record of batch.records) {
        // Nothing is committed, so after a rebalance of its own group the consumer starts over from the
        // beginning: records already applied are skipped, so the table never flips back to older values.
        if (BigInt(record.offset) <= (this.seen.get(batch.partition) ?? -1n)) continue;
        const key = record.key?.toString('utf8');
        if (key === undefined) {
          o.onInvalid?.(`record ${batch.topic}:${batch.partition}:${record.offset} has no key`);
        } else if (record.value === null) {
          const refusal = this.rows.has(key) && o.verify !== undefined ? o.verify(key, undefined, record.headers) : undefined;
          if (refusal !== undefined) {
            o.onRefused?.(key, undefined, refusal, `${batch.topic}:${batch.partition}:${record.offset}`);
            o.logger.warn('table tombstone refused; keeping the row', { topic: batch.topic, offset: record.offset, reason: refusal });
          } else if (this.rows.delete(key)) o.onChange?.(key, undefined);
        } else {
          const decoded = decodeRecord(record.value, o.schema);
          const refusal = decoded.ok && o.verify !== undefined ? o.verify(key, decoded.value, record.headers) : undefined;
          if (decoded.ok && o.keyOf !== undefined && o.keyOf(decoded.value) !== key) {
            const reason = `${batch.topic}:${batch.partition}:${record.offset}: key ${JSON.stringify(key.slice(0, 200))} does not match the value's ${JSON.stringify(o.keyOf(decoded.value).slice(0, 200))}`;
            o.onInvalid?.(reason);
            o.logger.warn('table record refused: its key names another row; keeping the previous value', { topic: batch.topic, offset: record.offset, reason });
          } else if (decoded.ok && refusal !== undefined) {
            o.onRefused?.(key, decoded.value, refusal, `${batch.topic}:${batch.partition}:${record.offset}`);
            o.logger.warn('table record refused; keeping the previous value', { topic: batch.topic, offset: record.offset, reason: refusal });
          } else if (decoded.ok) {
            this.rows.set(key, decoded.value);
            o.onChange?.(key, decoded.value);
          } else {
            o.onInvalid?.(`${batch.topic}:${batch.partition}:${record.offset}: ${decoded.reason}`);
            o.logger.warn('invalid record in table topic; keeping the previous value', { topic: batch.topic, offset: record.offset, reason: decoded.reason });
          }
        }
        control.resolveOffset(record.offset);
        this.seen.set(batch.partition, BigInt(record.offset));
      }
      this.checkCaughtUp();
    });
    if (!this.caughtUp) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new UnavailableError(`table ${o.topic} did not catch up within ${timeoutMs} ms`, { topic: o.topic, timeoutMs })), timeoutMs);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
  }

  private checkCaughtUp(): void {
    if (this.caughtUp) return;
    for (const [partition, last] of this.targets) if ((this.seen.get(partition) ?? -1n) < last) return;
    this.caughtUp = true;
    this.waiters.splice(0).forEach((w) => w());
  }
}
