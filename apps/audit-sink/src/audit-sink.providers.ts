import { readFileSync } from 'node:fs';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { AUDITED_TOPICS, type AuditedTopic } from '@penumbra/audit';
import { AuditSink, loadAuditSigningKey } from '@penumbra/audit-sink';
import { type ServiceEnv } from '@penumbra/config';
import { type ExperimentRecord, type TopicKey, type TrustedKeys, trustedKeysFromJson } from '@penumbra/contracts';
import { type CredentialPolicy } from '@penumbra/credentials';
import { ConfigError } from '@penumbra/errors';
import { type KafkaClient, type TopicTable, createTransactionalKafka, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { type Logger, type PipelineMetrics } from '@penumbra/observability';
import {
  CREDENTIALS,
  EXPERIMENTS,
  KAFKA_CLIENT,
  LOGGER,
  PIPELINE_METRICS,
  PeriodicTask,
  SERVICE_ENV,
  SERVICE_IDENTITY,
  type ServiceIdentity,
  TOPICS,
  loadOperatorKeysFile,
} from '@penumbra/service-kit';

export type AuditSinkEnv = ServiceEnv<'audit-sink'>;

export const AUDIT_SINK = Symbol('AUDIT_SINK');

/** The sink, started (its chains recovered from the audit topic) before the transport reads a record. */
export const auditSinkProvider: Provider = {
  provide: AUDIT_SINK,
  inject: [SERVICE_ENV, KAFKA_CLIENT, TOPICS, EXPERIMENTS, CREDENTIALS, LOGGER, PIPELINE_METRICS, SERVICE_IDENTITY],
  useFactory: async (
    env: AuditSinkEnv,
    client: KafkaClient,
    topics: Record<TopicKey, string>,
    experiments: TopicTable<ExperimentRecord>,
    credentials: CredentialPolicy,
    logger: Logger,
    metrics: PipelineMetrics,
    identity: ServiceIdentity,
  ): Promise<AuditSink> => {
    const sink = new AuditSink({
      client,
      kafka: createTransactionalKafka(kafkaConnectionFromEnv(env, `penumbra-${identity.name}`), logger.child({ component: 'kafka' })),
      auditTopic: topics.audit,
      sources: Object.fromEntries(AUDITED_TOPICS.map((k) => [k, topics[k]])) as Record<AuditedTopic, string>,
      transactionalId: env.AUDIT_TRANSACTIONAL_ID,
      groupId: identity.groupId(),
      signing: loadAuditSigningKey(env.AUDIT_SIGNING_KEY_FILE),
      index: { maxRecords: env.AUDIT_INDEX_MAX_RECORDS, maxHeads: env.AUDIT_INDEX_MAX_HEADS },
      describe: {
        redactFor: (id) => experiments.get(id)?.spec.compare.redact ?? [],
        redactOpaqueBytes: env.AUDIT_REDACT_DEFAULT,
        credentials,
        trust: {
          ...(env.PENUMBRA_COMMAND_KEYS_FILE ? { commands: loadTrustedKeysFile('PENUMBRA_COMMAND_KEYS_FILE', env.PENUMBRA_COMMAND_KEYS_FILE) } : {}),
          ...(env.PENUMBRA_OPERATOR_KEYS_FILE ? { experiments: loadOperatorKeysFile('PENUMBRA_OPERATOR_KEYS_FILE', env.PENUMBRA_OPERATOR_KEYS_FILE) } : {}),
          ...(env.SENTINEL_APPLIER_KEYS_FILE ? { acks: loadTrustedKeysFile('SENTINEL_APPLIER_KEYS_FILE', env.SENTINEL_APPLIER_KEYS_FILE) } : {}),
        },
      },
      checkpointEveryRecords: env.AUDIT_CHECKPOINT_EVERY_RECORDS,
      logger,
      metrics,
    });
    await sink.start();
    return sink;
  },
};

/**
 * Timed checkpoints while the sink runs; on shutdown, after the transport drained the consumer,
 * the last flush covers the last batch, and then the producer goes.
 */
@Injectable()
export class AuditCheckpoints implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly flushes: PeriodicTask;

  constructor(
    @Inject(SERVICE_ENV) private readonly env: AuditSinkEnv,
    @Inject(AUDIT_SINK) private readonly sink: AuditSink,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.flushes = new PeriodicTask(() => this.sink.flushCheckpoints().catch((err: unknown) => this.logger.warn('audit checkpoint flush failed', { err })));
  }

  onApplicationBootstrap(): void {
    this.flushes.start(this.env.AUDIT_CHECKPOINT_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushes.stop();
    await this.sink.stop();
  }
}

function loadTrustedKeysFile(variable: string, path: string): TrustedKeys {
  try {
    return trustedKeysFromJson(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new ConfigError(`${variable}: ${path} is not a readable trusted keys file: ${err instanceof Error ? err.message : String(err)}`, { path });
  }
}
