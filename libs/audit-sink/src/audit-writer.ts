import { type AuditCheckpoint, type AuditRecord, GLOBAL_AUDIT_STREAM, type SigningKey, auditCheckpointSchema } from '@penumbra/contracts';
import { createHash } from 'node:crypto';
import {
  type AuditDraft,
  type AuditedTopic,
  type ChainHead,
  type DescribeOptions,
  auditKey,
  auditPartition,
  chainRecord,
  describeSourceRecord,
  signCheckpoint,
} from '@penumbra/audit';
import { UnavailableError, describeError } from '@penumbra/errors';
import { type BatchControl, type FetchedBatch, type OutgoingMessage, type TransactionalProducerPort } from '@penumbra/kafka';
import { type Logger, type PipelineMetrics } from '@penumbra/observability';
import { type AuditIndex, type RestoredHead } from './audit-index';

export interface AuditWriterOptions {
  auditTopic: string;
  auditPartitions: number;
  groupId: string;
  /** Source topic name → what it carries. */
  kinds: ReadonlyMap<string, AuditedTopic>;
  index: AuditIndex;
  describe: DescribeOptions;
  producer: () => TransactionalProducerPort;
  /** After a failed transaction: a fresh producer (fencing the old one) and the heads read again from the topic. */
  recover: () => Promise<void>;
  logger: Logger;
  metrics: PipelineMetrics;
  maxRecordsPerTransaction: number;
  /** An audited event larger than this is kept as its size and digest, so that no record is over the broker's limit. */
  maxEventBytes: number;
  /** Bytes per produce request inside a transaction. */
  maxRequestBytes: number;
  /** Signs the checkpoints of the chain heads; no other writer holds it. */
  signingKey: SigningKey;
  /** A chain is checkpointed in the transaction that takes it this many records past its last checkpoint. */
  checkpointEveryRecords: number;
  /** Past this many chains awaiting a checkpoint, the oldest (up to a transaction's worth) are checkpointed with the next chunk. */
  maxUncheckpointed: number;
  /** The heads of chains the index let go, read back from the topic. */
  loadHeads: (experimentIds: string[]) => Promise<Map<string, RestoredHead>>;
  clock: () => number;
}

type Source = FetchedBatch['records'][number];

/**
 * Writes one audit record per source record. Each chunk's records and the source offsets that
 * follow it commit in one transaction, so after a crash at any instant the chunk is either
 * entirely in the audit topic with its offsets committed, or not there and read again.
 */
export class AuditWriter {
  /** Batches and checkpoint flushes share one transactional producer: one transaction at a time. */
  private lane: Promise<void> = Promise.resolve();
  private flushQueued = false;

  constructor(private readonly o: AuditWriterOptions) {}

  onBatch(batch: FetchedBatch, control: BatchControl): Promise<void> {
    return this.exclusive(() => this.write(batch, control));
  }

  /**
   * Checkpoints every chain written past its last checkpoint, in transactions of their own; a
   * failure is logged and recovered from, and the chains stay due for the next flush.
   */
  flushCheckpoints(): Promise<void> {
    if (this.flushQueued) return Promise.resolve();
    this.flushQueued = true;
    return this.exclusive(async () => {
      this.flushQueued = false;
      const due = this.o.index.uncheckpointed();
      for (let start = 0; start < due.length; start += this.o.maxRecordsPerTransaction) {
        const checkpoints = due.slice(start, start + this.o.maxRecordsPerTransaction).map(([id, head]) => this.checkpoint(id, head));
        try {
          await this.commit([], checkpoints);
        } catch (err) {
          this.o.logger.warn('audit checkpoint transaction failed; the chains stay due', { err });
          return;
        }
        for (const cp of checkpoints) this.o.index.checkpointed(cp.experimentId, cp.seq);
      }
    });
  }

  private exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.lane.then(work);
    this.lane = run.catch(() => undefined);
    return run;
  }

  private async write(batch: FetchedBatch, control: BatchControl): Promise<void> {
    const { o } = this;
    const kind = o.kinds.get(batch.topic);
    if (!kind) return;
    for (let start = 0; start < batch.records.length; start += o.maxRecordsPerTransaction) {
      if (control.isStale()) return;
      if (start > 0 && !control.isRunning()) return;
      const chunk = batch.records.slice(start, start + o.maxRecordsPerTransaction);
      const last = chunk[chunk.length - 1];
      if (!last) return;
      const timer = o.metrics.batchSeconds.startTimer({ topic: batch.topic });
      const records = await this.chain(kind, chunk);
      const checkpoints = this.dueWith(records);
      await this.commit(records, checkpoints, { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() });
      for (const r of records) o.index.add(r);
      for (const cp of checkpoints) o.index.checkpointed(cp.experimentId, cp.seq);
      control.resolveOffset(last.offset);
      await control.heartbeat();
      timer();
      o.metrics.consumed.inc({ topic: batch.topic }, chunk.length);
      o.metrics.produced.inc({ topic: o.auditTopic }, records.length);
      o.metrics.lag.set({ topic: batch.topic, partition: String(batch.partition) }, Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n)));
    }
  }

  /** Numbers and chains the chunk from the committed heads (read back for chains the index let go); the index moves only once the transaction commits. */
  private async chain(kind: AuditedTopic, chunk: Source[]): Promise<AuditRecord[]> {
    const drafts = chunk.map((source) => ({ source, draft: this.describe(kind, source) }));
    const heads = new Map<string, ChainHead | undefined>();
    for (const { draft } of drafts) if (!heads.has(draft.experimentId)) heads.set(draft.experimentId, this.o.index.head(draft.experimentId));
    const unknown = [...heads].filter(([, head]) => head === undefined).map(([id]) => id);
    if (this.o.index.mayHaveEvicted && unknown.length > 0) {
      for (const [id, restored] of await this.o.loadHeads(unknown)) {
        heads.set(id, restored.head);
        this.o.index.restore(id, restored);
      }
    }
    return drafts.map(({ source, draft }) => {
      const record = chainRecord(heads.get(draft.experimentId), draft, auditKey(source.topic, source.partition, source.offset), {
        topic: source.topic,
        partition: source.partition,
        offset: source.offset,
      });
      heads.set(record.experimentId, { seq: record.seq, hash: record.hash });
      return record;
    });
  }

  private describe(kind: AuditedTopic, source: Source): AuditDraft {
    try {
      return this.bounded(describeSourceRecord(kind, source, this.o.describe));
    } catch (err) {
      return this.unreadable(source, err);
    }
  }

  /** Checkpoints to write with these records: chains they take N records past their checkpoint, and the oldest due chains when too many are. */
  private dueWith(records: AuditRecord[]): AuditCheckpoint[] {
    const { index } = this.o;
    const heads = new Map<string, ChainHead>();
    if (index.uncheckpointedCount + records.length > this.o.maxUncheckpointed)
      for (const [id, head] of index.uncheckpointed().slice(0, this.o.maxRecordsPerTransaction)) heads.set(id, head);
    for (const r of records) {
      if (heads.has(r.experimentId) || r.seq - index.checkpointedSeq(r.experimentId) >= this.o.checkpointEveryRecords) heads.set(r.experimentId, { seq: r.seq, hash: r.hash });
    }
    return [...heads].map(([id, head]) => this.checkpoint(id, head));
  }

  private checkpoint(experimentId: string, head: ChainHead): AuditCheckpoint {
    return auditCheckpointSchema.parse(signCheckpoint(experimentId, head, this.o.clock(), this.o.signingKey));
  }

  /** A record that defeated description is still audited, as invalid with the reason, and never stops the sink. */
  private unreadable(source: Source, err: unknown): AuditDraft {
    this.o.logger.warn('could not describe a source record; auditing it as invalid', { topic: source.topic, partition: source.partition, offset: source.offset, err });
    const bytes = source.value ?? Buffer.alloc(0);
    return {
      experimentId: GLOBAL_AUDIT_STREAM,
      eventType: 'invalid',
      actor: 'unknown',
      ts: Number.isSafeInteger(Number(source.timestamp)) ? Number(source.timestamp) : 0,
      event: {
        errorClass: 'handler',
        reason: `could not describe the record: ${describeError(err)}`.slice(0, 2000),
        value: { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
      },
    };
  }

  private bounded(draft: AuditDraft): AuditDraft {
    const text = JSON.stringify(draft.event) ?? 'null';
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes <= this.o.maxEventBytes) return draft;
    return { ...draft, event: { tooLarge: true, bytes, sha256: createHash('sha256').update(text, 'utf8').digest('hex') } };
  }

  private requests(messages: OutgoingMessage[]): OutgoingMessage[][] {
    const out: OutgoingMessage[][] = [[]];
    let bytes = 0;
    for (const m of messages) {
      const size = (m.value?.length ?? 0) + (m.key?.length ?? 0);
      const current = out[out.length - 1] ?? [];
      if (current.length > 0 && bytes + size > this.o.maxRequestBytes) {
        out.push([m]);
        bytes = size;
      } else {
        current.push(m);
        bytes += size;
      }
    }
    return out;
  }

  /** The records, then the checkpoints that cover them, then the consumed offsets, in one transaction. */
  private async commit(records: AuditRecord[], checkpoints: AuditCheckpoint[], next?: { topic: string; partition: number; offset: string }): Promise<void> {
    const { o } = this;
    const messages: OutgoingMessage[] = [...records, ...checkpoints].map((r) => ({
      topic: o.auditTopic,
      key: r.id,
      value: JSON.stringify(r),
      partition: auditPartition(r.experimentId, o.auditPartitions),
    }));
    const producer = o.producer();
    try {
      await producer.begin();
      for (const request of this.requests(messages)) await producer.send(request);
      if (next) await producer.sendOffsets(o.groupId, [next]);
      await producer.commit();
    } catch (err) {
      o.logger.warn('audit transaction failed; recovering the chain heads from the topic before the batch comes again', { topic: next?.topic, partition: next?.partition, err });
      await producer.abort().catch(() => undefined);
      await o.recover();
      // No cause attached: the consumer restarts on a retriable error, and kafkajs judges by the root cause.
      throw new UnavailableError(`audit transaction failed: ${describeError(err)}`, { topic: next?.topic ?? o.auditTopic, partition: next?.partition ?? null });
    }
  }
}
