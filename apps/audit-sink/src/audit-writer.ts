import { type AuditRecord, GLOBAL_AUDIT_STREAM } from '@penumbra/contracts';
import { createHash } from 'node:crypto';
import { type AuditDraft, type AuditedTopic, type ChainHead, type DescribeOptions, auditKey, auditPartition, chainRecord, describeSourceRecord } from '@penumbra/audit';
import { UnavailableError, describeError } from '@penumbra/errors';
import { type BatchControl, type FetchedBatch, type OutgoingMessage, type TransactionalProducerPort } from '@penumbra/kafka';
import { type Logger, type PipelineMetrics } from '@penumbra/observability';
import { type AuditIndex } from './audit-index';

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
}

/**
 * Writes one audit record per source record. Each chunk's records and the source offsets that
 * follow it commit in one transaction, so after a crash at any instant the chunk is either
 * entirely in the audit topic with its offsets committed, or not there and read again.
 */
export class AuditWriter {
  constructor(private readonly o: AuditWriterOptions) {}

  async onBatch(batch: FetchedBatch, control: BatchControl): Promise<void> {
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
      const records = this.chain(kind, chunk);
      await this.commit(records, { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() });
      for (const r of records) o.index.add(r);
      control.resolveOffset(last.offset);
      await control.heartbeat();
      timer();
      o.metrics.consumed.inc({ topic: batch.topic }, chunk.length);
      o.metrics.produced.inc({ topic: o.auditTopic }, records.length);
      o.metrics.lag.set({ topic: batch.topic, partition: String(batch.partition) }, Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n)));
    }
  }

  /** Numbers and chains the chunk from the committed heads; the index moves only once the transaction commits. */
  private chain(kind: AuditedTopic, chunk: FetchedBatch['records']): AuditRecord[] {
    const heads = new Map<string, ChainHead | undefined>();
    return chunk.map((source) => {
      const link = (draft: AuditDraft) => {
        const head = heads.has(draft.experimentId) ? heads.get(draft.experimentId) : this.o.index.head(draft.experimentId);
        return chainRecord(head, draft, auditKey(source.topic, source.partition, source.offset), { topic: source.topic, partition: source.partition, offset: source.offset });
      };
      let record: AuditRecord;
      try {
        record = link(this.bounded(describeSourceRecord(kind, source, this.o.describe)));
      } catch (err) {
        record = link(this.unreadable(source, err));
      }
      heads.set(record.experimentId, { seq: record.seq, hash: record.hash });
      return record;
    });
  }

  /** A record that defeated description is still audited, as invalid with the reason, and never stops the sink. */
  private unreadable(source: FetchedBatch['records'][number], err: unknown): AuditDraft {
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

  private async commit(records: AuditRecord[], next: { topic: string; partition: number; offset: string }): Promise<void> {
    const { o } = this;
    const messages: OutgoingMessage[] = records.map((r) => ({
      topic: o.auditTopic,
      key: r.id,
      value: JSON.stringify(r),
      partition: auditPartition(r.experimentId, o.auditPartitions),
    }));
    const producer = o.producer();
    try {
      await producer.begin();
      for (const request of this.requests(messages)) await producer.send(request);
      await producer.sendOffsets(o.groupId, [next]);
      await producer.commit();
    } catch (err) {
      o.logger.warn('audit transaction failed; recovering the chain heads from the topic before the batch comes again', { topic: next.topic, partition: next.partition, err });
      await producer.abort().catch(() => undefined);
      await o.recover();
      // No cause attached: the consumer restarts on a retriable error, and kafkajs judges by the root cause.
      throw new UnavailableError(`audit transaction failed: ${describeError(err)}`, { topic: next.topic, partition: next.partition });
    }
  }
}
