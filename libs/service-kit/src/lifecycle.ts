import { type ExperimentRecord, experimentRecordSchema } from '@penumbra/contracts';
import { TopicTable } from '@penumbra/kafka';
import { type CheckResult } from '@penumbra/observability';
import { ExperimentAlerts, ExperimentTrust, loadOperatorKeysFile } from './experiment-trust';
import { type ServiceContext } from './service-context';

/**
 * The experiments topic as a live table, with its readiness check; the caller stops it. Only
 * records an operator signed (PENUMBRA_OPERATOR_KEYS_FILE), stored under their own id, enter it:
 * any other is alerted and leaves the previous valid record in force.
 */
export async function startExperimentTable(
  ctx: ServiceContext,
  onChange?: (id: string, record: ExperimentRecord | undefined) => void,
  alerts: ExperimentAlerts = new ExperimentAlerts(ctx),
): Promise<TopicTable<ExperimentRecord>> {
  const keys = loadOperatorKeysFile('PENUMBRA_OPERATOR_KEYS_FILE', ctx.env.PENUMBRA_OPERATOR_KEYS_FILE);
  if (keys === undefined) ctx.logger.error('no PENUMBRA_OPERATOR_KEYS_FILE: every experiment record is refused, since none can be verified');
  const trust = new ExperimentTrust(keys, alerts);
  const table = new TopicTable<ExperimentRecord>({
    client: ctx.kafka,
    topic: ctx.topics.experiments,
    schema: experimentRecordSchema,
    verify: (key, record, headers) => trust.verify(key, record, headers),
    onRefused: (key, record, reason, where) => trust.refused(key, record, reason, where),
    groupPrefix: ctx.groupId(`experiments-${ctx.instanceId}`),
    logger: ctx.logger,
    ...(onChange ? { onChange } : {}),
  });
  await table.start();
  ctx.health.register('experiments', () => ({
    ok: table.ready,
    detail: `${table.size} experiments${keys === undefined ? ', none verifiable: no PENUMBRA_OPERATOR_KEYS_FILE' : ''}`,
  }));
  ctx.logger.info('experiments loaded', { count: table.size });
  return table;
}

/** What every service's BatchConsumer shares: bounded, alerted dead letters, and a death made fatal. */
export function consumerDefaults(ctx: ServiceContext) {
  return {
    deadLetterTopic: ctx.topics.dlq,
    alertTopic: ctx.topics.alerts,
    deadLetterMaxValueBytes: ctx.env.DEAD_LETTER_MAX_VALUE_BYTES,
    credentials: ctx.credentials,
    deadLetterSpike: { threshold: ctx.env.DEAD_LETTER_SPIKE_COUNT, windowMs: ctx.env.DEAD_LETTER_SPIKE_WINDOW_MS },
    onFatal: (reason: string) => ctx.fatal(reason),
    metrics: ctx.metrics,
    sessionTimeoutMs: ctx.env.KAFKA_SESSION_TIMEOUT_MS,
  };
}

/** A consumer's readiness and liveness under one name. */
export function watchConsumer(ctx: ServiceContext, name: string, consumer: { health(): CheckResult; liveness(): CheckResult }): void {
  ctx.health.register(name, () => consumer.health());
  ctx.health.registerLiveness(name, () => consumer.liveness());
}
