import { readFileSync } from 'node:fs';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AUDITED_TOPICS, type AuditedTopic, historyJson, readHistory } from '@penumbra/audit';
import { type ServiceEnv } from '@penumbra/config';
import { ConfigError, UnavailableError } from '@penumbra/errors';
import { type AuditRecord, type TrustedKeys, auditRecordSchema, trustedKeysFromJson } from '@penumbra/contracts';
import { type ConsumerPort, type TransactionalKafka, type TransactionalProducerPort, createTransactionalKafka, decodeRecord, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { SERVICE_CONTEXT, type ServiceContext, StopStack, startExperimentTable } from '@penumbra/service-kit';
import { AuditIndex } from './audit-index';
import { AuditWriter } from './audit-writer';

export type AuditSinkEnv = ServiceEnv<'audit-sink'>;

const MAX_RECORDS_PER_TRANSACTION = 500;
/** Below the broker's default message.max.bytes (1 MiB) with room for the record around the event. */
const MAX_EVENT_BYTES = 768 * 1024;
const MAX_REQUEST_BYTES = 256 * 1024;

@Injectable()
export class AuditSinkService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stops = new StopStack();
  private readonly tk: TransactionalKafka;
  private readonly index: AuditIndex;
  private producer: TransactionalProducerPort | undefined;
  private consumer: ConsumerPort | undefined;
  private crashed: string | undefined;
  private running = false;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<AuditSinkEnv>) {
    this.tk = createTransactionalKafka(kafkaConnectionFromEnv(ctx.env, `penumbra-${ctx.name}`), ctx.logger.child({ component: 'kafka' }));
    this.index = new AuditIndex(ctx.env.AUDIT_INDEX_MAX_RECORDS);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { ctx } = this;
    // The producer comes first: its id fences a previous instance and aborts its open transaction, so what the index reads next is final.
    await this.newProducer();
    this.stops.push('transactional producer', () => this.producer?.disconnect() ?? Promise.resolve());
    const table = await startExperimentTable(ctx, this.stops);
    const admin = await ctx.kafka.admin();
    const auditPartitions = await admin.topicOffsets(ctx.topics.audit).finally(() => admin.disconnect());
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

  /** Every chain head (and history, within the bound) from the committed records of the audit topic. */
  private async rebuildIndex(): Promise<void> {
    const { ctx } = this;
    this.index.clear();
    let invalid = 0;
    const started = Date.now();
    await this.tk.readToEnd({
      topic: ctx.topics.audit,
      onRecords: (records) => {
        for (const r of records) {
          const decoded = decodeRecord<AuditRecord>(r.value, auditRecordSchema);
          if (decoded.ok) this.index.add(decoded.value);
          else invalid += 1;
        }
      },
    });
    if (invalid > 0) ctx.logger.warn('records on the audit topic that are not audit records; run penumbra audit verify', { invalid });
    ctx.logger.info('audit chains recovered', { chains: this.index.size, records: this.index.heldRecords, ms: Date.now() - started });
  }
}

function loadTrustedKeysFile(variable: string, path: string): TrustedKeys {
  try {
    return trustedKeysFromJson(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new ConfigError(`${variable}: ${path} is not a readable trusted keys file: ${err instanceof Error ? err.message : String(err)}`, { path });
  }
}
