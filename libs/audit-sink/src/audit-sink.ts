import { AUDITED_TOPICS, type AuditedTopic, type DescribeOptions, auditPartition, historyJson, readHistory } from '@penumbra/audit';
import { type SigningKey, type TrustedKeys } from '@penumbra/contracts';
import { UnavailableError } from '@penumbra/errors';
import { type BatchControl, type FetchedBatch, type KafkaClient, type TransactionalKafka, type TransactionalProducerPort } from '@penumbra/kafka';
import { type Logger, type PipelineMetrics } from '@penumbra/observability';
import { AuditIndex, type RestoredHead } from './audit-index';
import { HeadScan, readAuditLogValue } from './audit-log';
import { AuditWriter } from './audit-writer';

export const AUDIT_SINK_DEFAULTS = {
  /** Audit records per transaction. @default 500 */
  maxRecordsPerTransaction: 500,
  /** Below the broker's default message.max.bytes (1 MiB) with room for the record around the event. @default 786432 */
  maxEventBytes: 768 * 1024,
  /** Bytes per produce request inside a transaction. @default 262144 */
  maxRequestBytes: 256 * 1024,
  /** Chains awaiting their timed checkpoint; past it the next chunk checkpoints them all. @default 50000 */
  maxUncheckpointed: 50_000,
} as const;

export interface AuditSinkOptions {
  /** For the audit topic's partitions. */
  client: KafkaClient;
  kafka: TransactionalKafka;
  /** Where the chained records go. */
  auditTopic: string;
  /** The topic of each audited kind. */
  sources: Record<AuditedTopic, string>;
  transactionalId: string;
  /** The consumer group of the audited topics: their offsets commit in the audit transactions. */
  groupId: string;
  signing: { key: SigningKey; own: TrustedKeys };
  index: { maxRecords: number; maxHeads: number };
  describe: DescribeOptions;
  checkpointEveryRecords: number;
  logger: Logger;
  metrics: PipelineMetrics;
}

/**
 * The audit-sink's state and writer: the chain index recovered from the audit topic, the
 * transactional producer (re-created, fencing the old one, after a failed transaction), and the
 * writer that turns batches of the audited topics into chained records.
 */
export class AuditSink {
  private readonly index: AuditIndex;
  private producer: TransactionalProducerPort | undefined;
  private writer: AuditWriter | undefined;
  private auditPartitions = 0;

  constructor(private readonly o: AuditSinkOptions) {
    this.index = new AuditIndex(o.index.maxRecords, o.index.maxHeads);
  }

  /** The producer first: its id fences a previous instance and aborts its open transaction, so what the index reads next is final. */
  async start(): Promise<void> {
    const o = this.o;
    await this.newProducer();
    const admin = await o.client.admin();
    this.auditPartitions = (await admin.topicOffsets(o.auditTopic).finally(() => admin.disconnect())).length;
    await this.rebuildIndex();
    this.writer = new AuditWriter({
      auditTopic: o.auditTopic,
      auditPartitions: this.auditPartitions,
      groupId: o.groupId,
      kinds: new Map<string, AuditedTopic>(AUDITED_TOPICS.map((k) => [o.sources[k], k])),
      index: this.index,
      describe: { ...o.describe, redactFor: (id) => [...this.index.redactPaths(id), ...o.describe.redactFor(id)] },
      producer: () => {
        if (!this.producer) throw new UnavailableError('the audit producer is reconnecting');
        return this.producer;
      },
      recover: async () => {
        await this.producer?.disconnect().catch(() => undefined);
        this.producer = undefined;
        await this.newProducer();
        await this.rebuildIndex();
      },
      logger: o.logger.child({ component: 'writer' }),
      metrics: o.metrics,
      ...AUDIT_SINK_DEFAULTS,
      signingKey: o.signing.key,
      checkpointEveryRecords: o.checkpointEveryRecords,
      loadHeads: (ids) => this.readHeads(ids),
      clock: () => Date.now(),
    });
  }

  /** Audits one fetched batch, committing its offsets in the same transactions. */
  onBatch(batch: FetchedBatch, control: BatchControl): Promise<void> {
    if (!this.writer) throw new UnavailableError('the audit sink is not started');
    return this.writer.onBatch(batch, control);
  }

  async flushCheckpoints(): Promise<void> {
    await this.writer?.flushCheckpoints();
  }

  /** After the consumer drained: the last checkpoints, then the producer. */
  async stop(): Promise<void> {
    await this.flushCheckpoints();
    await this.producer?.disconnect();
    this.producer = undefined;
  }

  describe(): string {
    return `${this.index.size} chains, ${this.index.heldRecords} records indexed`;
  }

  /** The history of one experiment: from the index, or from the topic when the index let it go. */
  async history(experimentId: string): Promise<ReturnType<typeof historyJson>> {
    const held = this.index.history(experimentId);
    const records = held ?? (await readHistory(this.o.kafka, this.o.auditTopic, experimentId)).records;
    return historyJson(experimentId, records);
  }

  private async newProducer(): Promise<void> {
    this.producer = await this.o.kafka.transactionalProducer({ transactionalId: this.o.transactionalId });
  }

  /** Every chain head (and history, within the bound) from the committed records of the audit topic, and where each was last checkpointed. */
  private async rebuildIndex(): Promise<void> {
    this.index.clear();
    let other = 0;
    const started = Date.now();
    await this.o.kafka.readToEnd({
      topic: this.o.auditTopic,
      onRecords: (records) => {
        for (const r of records) {
          const entry = readAuditLogValue(r.value, this.o.signing.own);
          if (entry.kind === 'record') this.index.add(entry.record);
          else if (entry.kind === 'checkpoint') this.index.checkpointed(entry.experimentId, entry.seq);
          else if (r.value !== null) other += 1;
        }
      },
    });
    if (other > 0) this.o.logger.warn('values on the audit topic that are neither audit records nor checkpoints this sink signed; run penumbra audit verify', { other });
    this.o.logger.info('audit chains recovered', {
      chains: this.index.size,
      records: this.index.heldRecords,
      uncheckpointed: this.index.uncheckpointedCount,
      ms: Date.now() - started,
    });
  }

  /** The heads of chains the index let go, from their partitions of the audit topic. */
  private async readHeads(ids: string[]): Promise<Map<string, RestoredHead>> {
    const scan = new HeadScan(new Set(ids), this.o.signing.own);
    const partitions = [...new Set(ids.map((id) => auditPartition(id, this.auditPartitions)))];
    await this.o.kafka.readToEnd({ topic: this.o.auditTopic, partitions, onRecords: (records) => scan.add(records) });
    return scan.found;
  }
}
