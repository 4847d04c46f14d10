import { KAFKA_DEFAULTS } from './defaults';
import { type z } from 'zod';
import { type DeadLetterErrorClass } from '@penumbra/contracts';
import { PenumbraError, type RetryOptions, describeError, isRetriable, retry } from '@penumbra/errors';
import { type Logger, type PipelineMetrics } from '@penumbra/observability';
import { type CredentialPolicy } from '@penumbra/credentials';
import { DeadLetterWriter, type Rejection } from './dead-letter-writer';
import { decodeRecord } from './decode';
import { type DlqSpikeOptions } from './dlq-spike';
import { type HeldPartition, IdlePartitions, SerialLock } from './idle-partitions';
import { type BatchControl, type ConsumerPort, type FetchedBatch, type IncomingRecord, type KafkaClient, type ProducerPort } from './ports';

export interface ConsumedRecord<T> {
  value: T;
  key: string | null;
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  headers: Record<string, string>;
  /** The record as fetched, bytes included, for handlers that dead-letter later themselves. */
  source: IncomingRecord;
}

export interface BatchOutcome {
  /** Records the handler refused on their own merits: dead-lettered with the reason, then committed. */
  rejected?: Array<{ offset: string; reason: string; errorClass?: DeadLetterErrorClass }>;
  /**
   * For handlers that hold records across batches (a join window): commit only offsets below
   * this one, so that what is held comes again after a crash.
   */
  commitBefore?: string;
}

export interface BatchContext {
  topic: string;
  partition: number;
  signal: AbortSignal;
  /** Keeps the group membership alive while the handler waits (for a slot, a token): call it while holding a batch. */
  heartbeat?: () => Promise<void>;
}

/**
 * Receives valid records in offset order for one partition (none on an idle tick). It must make
 * its output durable before it resolves: the offsets are committed right after.
 */
export type BatchHandler<T> = (records: ConsumedRecord<T>[], context: BatchContext) => Promise<BatchOutcome | void>;

export interface BatchConsumerOptions<T> {
  client: KafkaClient;
  groupId: string;
  topics: ReadonlyArray<{ topic: string; schema: z.ZodType<T> }>;
  handler: BatchHandler<T>;
  deadLetterTopic: string;
  /** Producer for dead letters; sends must be durable (acks from all in-sync replicas). */
  deadLetters: ProducerPort;
  logger: Logger;
  metrics?: PipelineMetrics;
  fromBeginning?: boolean;
  /** The most records handed to one handler call. */
  maxRecordsPerCall?: number;
  maxValueBytes?: number;
  retry?: RetryOptions;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  clock?: () => number;
  /** How many bytes of a rejected record's value its dead letter keeps (64 KiB by default). */
  deadLetterMaxValueBytes?: number;
  /** Where to alert when a dead letter falls back to its minimal form, or dead letters spike. */
  alertTopic?: string;
  /** How credentials are hashed in dead letters. @default the default policy, with a random key */
  credentials?: CredentialPolicy;
  deadLetterSpike?: DlqSpikeOptions;
  /** Called once when the consumer stops for good (a crash the client will not restart from). */
  onFatal?: (reason: string) => void;
  /**
   * For handlers that hold records (a join window): a partition that got no batch for this long
   * is handed to the handler with no records, so it can release what expired, and its returned
   * `commitBefore` is committed. Batches and these calls then run one at a time.
   */
  idleTickMs?: number;
}

const DEFAULT_HANDLER_RETRY: RetryOptions = { attempts: 5, initialDelayMs: 200, maxDelayMs: 5_000 };

/**
 * Consumes with eachBatch: validates every record, hands the valid ones to the handler in
 * batches, dead-letters the rest with a reason, and commits only after both are durable.
 */
export class BatchConsumer<T> {
  private consumer: ConsumerPort | undefined;
  private readonly abort = new AbortController();
  private running = false;
  private crashed: string | undefined;
  /** Set when the client gave up and will not restart: only a new process brings the consumer back. */
  private dead: string | undefined;
  /** The last offset committed per topic:partition, so a held-back commit is not repeated. */
  private readonly committed = new Map<string, string>();
  private readonly letters: DeadLetterWriter;
  private readonly idle = new IdlePartitions();
  private readonly lock = new SerialLock();
  private idleTimer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(private readonly options: BatchConsumerOptions<T>) {
    const o = options;
    this.letters = new DeadLetterWriter({
      topic: o.deadLetterTopic,
      producer: o.deadLetters,
      groupId: o.groupId,
      logger: o.logger,
      metrics: o.metrics,
      retry: o.retry ?? DEFAULT_HANDLER_RETRY,
      signal: this.abort.signal,
      clock: o.clock,
      maxValueBytes: o.deadLetterMaxValueBytes,
      alertTopic: o.alertTopic,
      credentials: o.credentials,
      spike: o.deadLetterSpike,
    });
  }

  /** Readiness: subscribed, running and not crashed. */
  health(): { ok: boolean; detail?: string } {
    if (this.dead) return { ok: false, detail: `consumer stopped for good: ${this.dead}` };
    if (this.crashed) return { ok: false, detail: `consumer crashed: ${this.crashed}` };
    return this.running ? { ok: true } : { ok: false, detail: 'consumer not running' };
  }

  /** Liveness: false once the consumer crashed without a restart, so the process is restarted. */
  liveness(): { ok: boolean; detail?: string } {
    return this.dead ? { ok: false, detail: `consumer stopped for good: ${this.dead}` } : { ok: true };
  }

  async start(): Promise<void> {
    const o = this.options;
    const consumer = o.client.consumer({
      groupId: o.groupId,
      partitionsConsumedConcurrently: o.partitionsConsumedConcurrently,
      sessionTimeoutMs: o.sessionTimeoutMs,
    });
    this.consumer = consumer;
    consumer.onCrash((error, willRestart) => {
      this.crashed = error.message;
      o.logger.error('consumer crashed', { groupId: o.groupId, err: error, willRestart });
      if (willRestart || this.dead || !this.running) return;
      this.dead = error.message.slice(0, 500);
      o.onFatal?.(`consumer ${o.groupId} stopped for good: ${this.dead}`);
    });
    consumer.onGroupJoin((assigned) => {
      this.crashed = undefined;
      this.idle.retain(assigned);
      o.logger.info('joined consumer group', { groupId: o.groupId, assigned });
    });
    await consumer.subscribe(
      o.topics.map((t) => t.topic),
      { fromBeginning: o.fromBeginning ?? true },
    );
    const serial = o.idleTickMs !== undefined;
    await consumer.run((batch, control) => (serial ? this.lock.run(() => this.processBatch(batch, control)) : this.processBatch(batch, control)));
    this.running = true;
    if (o.idleTickMs !== undefined) {
      const every = o.idleTickMs;
      this.idleTimer = setInterval(() => void this.idleTick(every), every);
      this.idleTimer.unref();
    }
  }

  /** Finishes the work in hand, commits it, and leaves the group. */
  async stop(): Promise<void> {
    clearInterval(this.idleTimer);
    if (!this.consumer) return;
    this.running = false;
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer.disconnect();
    this.abort.abort();
  }

  private schemaFor(topic: string): z.ZodType<T> {
    const binding = this.options.topics.find((t) => t.topic === topic);
    if (!binding) throw new PenumbraError(`no schema bound for topic ${topic}`, { code: 'TOPIC_UNBOUND', retriable: false, context: { topic } });
    return binding.schema;
  }

  private async processBatch(batch: FetchedBatch, control: BatchControl): Promise<void> {
    const o = this.options;
    const schema = this.schemaFor(batch.topic);
    const chunkSize = o.maxRecordsPerCall ?? KAFKA_DEFAULTS.consumer.maxRecordsPerCall;
    for (let start = 0; start < batch.records.length; start += chunkSize) {
      if (control.isStale()) return;
      if (start > 0 && !control.isRunning()) return;
      const chunk = batch.records.slice(start, start + chunkSize);
      const timer = o.metrics?.batchSeconds.startTimer({ topic: batch.topic });
      const commitBefore = await this.processChunk(batch, chunk, schema, control);
      const last = chunk[chunk.length - 1];
      if (!last) return;
      const end = BigInt(last.offset) + 1n;
      const next = (commitBefore !== undefined && BigInt(commitBefore) < end ? BigInt(commitBefore) : end).toString();
      const partitionKey = `${batch.topic}:${batch.partition}`;
      if (next !== this.committed.get(partitionKey)) {
        await control.commit(next);
        this.committed.set(partitionKey, next);
      }
      this.idle.done(batch.topic, batch.partition, end.toString(), (o.clock ?? Date.now)());
      control.resolveOffset(last.offset);
      await control.heartbeat();
      timer?.();
      o.metrics?.consumed.inc({ topic: batch.topic }, chunk.length);
      o.metrics?.lag.set({ topic: batch.topic, partition: String(batch.partition) }, Math.max(0, Number(BigInt(batch.highWatermark) - end)));
    }
  }

  /** Returns the offset below which committing is allowed, when the handler holds records back. */
  private async processChunk(batch: FetchedBatch, chunk: IncomingRecord[], schema: z.ZodType<T>, control: BatchControl): Promise<string | undefined> {
    const valid: ConsumedRecord<T>[] = [];
    const rejections: Rejection[] = [];
    const byOffset = new Map<string, IncomingRecord>();
    for (const record of chunk) {
      byOffset.set(record.offset, record);
      const decoded = decodeRecord(record.value, schema, this.options.maxValueBytes);
      if (decoded.ok) {
        valid.push({
          value: decoded.value,
          key: record.key === null ? null : record.key.toString('utf8'),
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          timestamp: Number(record.timestamp),
          headers: record.headers,
          source: record,
        });
      } else {
        rejections.push({ record, errorClass: decoded.errorClass, reason: decoded.reason });
      }
    }
    let commitBefore: string | undefined;
    if (valid.length > 0) {
      const outcome = await this.handle(valid, batch, control);
      commitBefore = outcome.commitBefore;
      for (const r of outcome.rejected ?? []) {
        const record = byOffset.get(r.offset);
        if (record) rejections.push({ record, errorClass: r.errorClass ?? 'handler', reason: r.reason });
      }
    }
    await this.deadLetter(rejections);
    return commitBefore;
  }

  /** Runs the handler with bounded retries; a non-retriable failure is narrowed to the records that cause it. */
  private async handle(records: ConsumedRecord<T>[], batch: FetchedBatch, control: BatchControl): Promise<BatchOutcome> {
    try {
      return (await this.callHandler(records, batch, control)) ?? {};
    } catch (err) {
      if (isRetriable(err)) throw err;
      const [only] = records;
      if (records.length === 1 && only) return { rejected: [{ offset: only.offset, reason: `handler failed: ${describeError(err)}` }] };
      this.options.logger.warn('handler failed on a batch; retrying its records one by one to isolate the bad ones', { topic: batch.topic, partition: batch.partition, err });
      const merged: BatchOutcome = { rejected: [] };
      for (const record of records) {
        const outcome = await this.handle([record], batch, control);
        merged.rejected?.push(...(outcome.rejected ?? []));
        if (outcome.commitBefore !== undefined && (merged.commitBefore === undefined || BigInt(outcome.commitBefore) < BigInt(merged.commitBefore)))
          merged.commitBefore = outcome.commitBefore;
      }
      return merged;
    }
  }

  /** `control` is absent for an idle call, which holds no batch to heartbeat for. */
  private callHandler(records: ConsumedRecord<T>[], batch: FetchedBatch, control?: BatchControl): Promise<BatchOutcome | void> {
    const o = this.options;
    const context: BatchContext = { topic: batch.topic, partition: batch.partition, signal: this.abort.signal, ...(control ? { heartbeat: () => control.heartbeat() } : {}) };
    return retry(() => o.handler(records, context), {
      ...(o.retry ?? DEFAULT_HANDLER_RETRY),
      signal: this.abort.signal,
      onRetry: (err, attempt, delayMs) => {
        o.metrics?.handlerRetries.inc({ topic: batch.topic });
        o.logger.warn('handler failed with a retriable error; retrying', { topic: batch.topic, partition: batch.partition, attempt, delayMs, err });
      },
    });
  }

  /** Hands each idle partition to the handler with no records and commits what it lets go. */
  private async idleTick(idleMs: number): Promise<void> {
    if (!this.running || this.ticking) return;
    this.ticking = true;
    try {
      for (const p of this.idle.takeIdle((this.options.clock ?? Date.now)(), idleMs)) await this.lock.run(() => this.releaseIdle(p));
    } catch (err) {
      this.options.logger.warn('idle tick failed; the next one tries again', { groupId: this.options.groupId, err });
    } finally {
      this.ticking = false;
    }
  }

  private async releaseIdle(p: HeldPartition): Promise<void> {
    const consumer = this.consumer;
    if (!this.running || !consumer) return;
    const outcome = (await this.callHandler([], { topic: p.topic, partition: p.partition, highWatermark: p.end, records: [] })) ?? {};
    const next = outcome.commitBefore !== undefined && BigInt(outcome.commitBefore) < BigInt(p.end) ? outcome.commitBefore : p.end;
    const key = `${p.topic}:${p.partition}`;
    const committed = this.committed.get(key);
    if (committed !== undefined && BigInt(next) <= BigInt(committed)) return;
    await consumer.commitIdle(p.topic, p.partition, next);
    this.committed.set(key, next);
  }

  private async deadLetter(rejections: Rejection[]): Promise<void> {
    await this.letters.write(rejections);
  }
}
