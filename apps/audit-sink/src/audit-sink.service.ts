import { readFileSync } from 'node:fs';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AUDITED_TOPICS, type AuditedTopic, auditPartition, historyJson, readHistory } from '@penumbra/audit';
import { type ServiceEnv } from '@penumbra/config';
import { ConfigError, UnavailableError } from '@penumbra/errors';
import { type SigningKey, type TrustedKeys, trustedKeysFromJson } from '@penumbra/contracts';
import { type ConsumerPort, type TransactionalKafka, type TransactionalProducerPort, createTransactionalKafka, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { SERVICE_CONTEXT, type ServiceContext, StopStack, loadOperatorKeysFile, startExperimentTable } from '@penumbra/service-kit';
import { AuditIndex, AuditWriter, HeadScan, type RestoredHead, loadAuditSigningKey, readAuditLogValue } from '@penumbra/audit-sink';

export type AuditSinkEnv = ServiceEnv<'audit-sink'>;

const MAX_RECORDS_PER_TRANSACTION = 500;
/** Below the broker's default message.max.bytes (1 MiB) with room for the record around the event. */
const MAX_EVENT_BYTES = 768 * 1024;
const MAX_REQUEST_BYTES = 256 * 1024;
/** Chains awaiting their timed checkpoint; past it the next chunk checkpoints them all. */
const MAX_UNCHECKPOINTED = 50_000;

@Injectable()
export class AuditSinkService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stops = new StopStack();
  private readonly tk: TransactionalKafka;
  private readonly index: AuditIndex;
  private readonly signing: { key: SigningKey; own: TrustedKeys };
  private auditPartitions = 0;
  private producer: TransactionalProducerPort | undefined;
  private consumer: ConsumerPort | undefined;
  private crashed: string | undefined;
  private running = false;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<AuditSinkEnv>) {
    this.tk = createTransactionalKafka(kafkaConnectionFromEnv(ctx.env, `penumbra-${ctx.name}`), ctx.logger.child({ component: 'kafka' }));
    this.signing = loadAuditSigningKey(ctx.env.AUDIT_SIGNING_KEY_FILE);
    this.index = new AuditIndex(ctx.env.AUDIT_INDEX_MAX_RECORDS, ctx.env.AUDIT_INDEX_MAX_HEADS);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { ctx } = this;
    // The producer comes first: its id fences a previous instance and aborts its open transaction, so what the index reads next is final.
    await this.newProducer();
    this.stops.push('transactional producer', () => this.producer?.disconnect() ?? Promise.resolve());
    const table = await startExperimentTable(ctx, this.stops);
    const admin = await ctx.kafka.admin();
    const auditPartitions = await admin.topicOffsets(ctx.topics.audit).finally(() => admin.disconnect());
    this.auditPartitions = auditPartitions.length;
    await this.rebuildIndex();

    const kinds = new Map<string, AuditedTopic>(AUDITED_TOPICS.map((k) => [ctx.topics[k], k]));
    const writer = new AuditWriter({
      auditTopic: ctx.topics.audit,
      auditPartitions: auditPartitions.length,
      groupId: ctx.groupId(),
      kinds,
      index: this.index,
      describe: {
        redactFor: (id) => [...this.index.redactPaths(id), ...(table.get(id)?.spec.compare.redact ?? [])],
        redactOpaqueBytes: ctx.env.AUDIT_REDACT_DEFAULT,
        credentials: ctx.credentials,
        trust: {
          ...(ctx.env.PENUMBRA_COMMAND_KEYS_FILE ? { commands: loadTrustedKeysFile('PENUMBRA_COMMAND_KEYS_FILE', ctx.env.PENUMBRA_COMMAND_KEYS_FILE) } : {}),
          ...(ctx.env.PENUMBRA_OPERATOR_KEYS_FILE ? { experiments: loadOperatorKeysFile('PENUMBRA_OPERATOR_KEYS_FILE', ctx.env.PENUMBRA_OPERATOR_KEYS_FILE) } : {}),
          ...(ctx.env.SENTINEL_APPLIER_KEYS_FILE ? { acks: loadTrustedKeysFile('SENTINEL_APPLIER_KEYS_FILE', ctx.env.SENTINEL_APPLIER_KEYS_FILE) } : {}),
        },
      },
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
      logger: ctx.logger.child({ component: 'writer' }),
      metrics: ctx.metrics,
      maxRecordsPerTransaction: MAX_RECORDS_PER_TRANSACTION,
      maxEventBytes: MAX_EVENT_BYTES,
      maxRequestBytes: MAX_REQUEST_BYTES,
      signingKey: this.signing.key,
      checkpointEveryRecords: ctx.env.AUDIT_CHECKPOINT_EVERY_RECORDS,
      maxUncheckpointed: MAX_UNCHECKPOINTED,
      loadHeads: (ids) => this.readHeads(ids),
      clock: () => Date.now(),
    });

    const flush = setInterval(
      () => void writer.flushCheckpoints().catch((err: unknown) => ctx.logger.warn('audit checkpoint flush failed', { err })),
      ctx.env.AUDIT_CHECKPOINT_INTERVAL_MS,
    );
    // Pushed before the consumer, so stopped after it: the last flush covers the last batch.
    this.stops.push('checkpoint timer', async () => {
      clearInterval(flush);
      await writer.flushCheckpoints();
    });

    const consumer = ctx.kafka.consumer({ groupId: ctx.groupId(), sessionTimeoutMs: ctx.env.KAFKA_SESSION_TIMEOUT_MS });
    this.consumer = consumer;
    consumer.onCrash((error, willRestart) => {
      this.crashed = error.message;
      ctx.logger.error('source consumer crashed', { err: error, willRestart });
      if (!willRestart && this.running) ctx.fatal(`audit source consumer stopped for good: ${error.message}`);
    });
    consumer.onGroupJoin((assigned) => {
      this.crashed = undefined;
      ctx.logger.info('joined consumer group', { assigned });
    });
    await consumer.subscribe([...kinds.keys()], { fromBeginning: true });
    await consumer.run((batch, control) => writer.onBatch(batch, control));
    this.running = true;
    this.stops.push('source consumer', async () => {
      this.running = false;
      await consumer.disconnect();
    });
    ctx.health.register('audit-consumer', () =>
      this.crashed
        ? { ok: false, detail: `consumer crashed: ${this.crashed}` }
        : { ok: this.running, detail: `${this.index.size} chains, ${this.index.heldRecords} records indexed` },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stops.stopAll(this.ctx.logger);
  }

  /** The history of one experiment: from the index, or from the topic when the index let it go. */
  async history(experimentId: string): Promise<ReturnType<typeof historyJson>> {
    const held = this.index.history(experimentId);
    const records = held ?? (await readHistory(this.tk, this.ctx.topics.audit, experimentId)).records;
    return historyJson(experimentId, records);
  }

  private async newProducer(): Promise<void> {
    this.producer = await this.tk.transactionalProducer({ transactionalId: this.ctx.env.AUDIT_TRANSACTIONAL_ID });
  }

  /** Every chain head (and history, within the bound) from the committed records of the audit topic, and where each was last checkpointed. */
  private async rebuildIndex(): Promise<void> {
    const { ctx } = this;
    this.index.clear();
    let other = 0;
    const started = Date.now();
    await this.tk.readToEnd({
      topic: ctx.topics.audit,
      onRecords: (records) => {
        for (const r of records) {
          const entry = readAuditLogValue(r.value, this.signing.own);
          if (entry.kind === 'record') this.index.add(entry.record);
          else if (entry.kind === 'checkpoint') this.index.checkpointed(entry.experimentId, entry.seq);
          else if (r.value !== null) other += 1;
        }
      },
    });
    if (other > 0) ctx.logger.warn('values on the audit topic that are neither audit records nor checkpoints this sink signed; run penumbra audit verify', { other });
    ctx.logger.info('audit chains recovered', {
      chains: this.index.size,
      records: this.index.heldRecords,
      uncheckpointed: this.index.uncheckpointedCount,
      ms: Date.now() - started,
    });
  }

  /** The heads of chains the index let go, from their partitions of the audit topic. */
  private async readHeads(ids: string[]): Promise<Map<string, RestoredHead>> {
    const scan = new HeadScan(new Set(ids), this.signing.own);
    const partitions = [...new Set(ids.map((id) => auditPartition(id, this.auditPartitions)))];
    await this.tk.readToEnd({ topic: this.ctx.topics.audit, partitions, onRecords: (records) => scan.add(records) });
    return scan.found;
  }
}

function loadTrustedKeysFile(variable: string, path: string): TrustedKeys {
  try {
    return trustedKeysFromJson(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new ConfigError(`${variable}: ${path} is not a readable trusted keys file: ${err instanceof Error ? err.message : String(err)}`, { path });
  }
}
