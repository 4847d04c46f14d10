import { type ExperimentRecord, experimentRecordSchema } from '@penumbra/contracts';
import { TopicTable } from '@penumbra/kafka';
import { type CheckResult, type Logger } from '@penumbra/observability';
import { type RedisClient, type RedisEnv, createRedis, redisConnectionFromEnv, redisReadiness } from '@penumbra/redis';
import { ExperimentAlerts, ExperimentTrust, loadOperatorKeysFile } from './experiment-trust';
import { type ServiceContext } from './service-context';

/** What a service started, stopped in reverse order: consumers first, connections last. */
export class StopStack {
  private readonly stops: Array<{ name: string; stop: () => Promise<unknown> }> = [];

  push(name: string, stop: () => Promise<unknown>): void {
    this.stops.unshift({ name, stop });
  }

  async stopAll(logger: Logger): Promise<void> {
    for (const { name, stop } of this.stops.splice(0)) {
      try {
        await stop();
      } catch (err) {
        logger.error('stop failed', { part: name, err });
      }
    }
    logger.info('service stopped: work in hand finished and committed');
  }
}

/**
 * The experiments topic as a live table, with its readiness check, stopped with the service. Only
 * records an operator signed (PENUMBRA_OPERATOR_KEYS_FILE), stored under their own id, enter it:
 * any other is alerted and leaves the previous valid record in force.
 */
export async function startExperimentTable(
  ctx: ServiceContext,
  stops: StopStack,
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
  stops.push('experiments table', async () => {
    await table.stop();
    await alerts.drain();
  });
  ctx.health.register('experiments', () => ({
    ok: table.ready,
    detail: `${table.size} experiments${keys === undefined ? ', none verifiable: no PENUMBRA_OPERATOR_KEYS_FILE' : ''}`,
  }));
  ctx.logger.info('experiments loaded', { count: table.size });
  return table;
}

/** A connected Redis client for the service, with its readiness check, closed with the service. */
export async function connectRedis(ctx: ServiceContext<ServiceContext['env'] & RedisEnv>, stops: StopStack): Promise<RedisClient> {
  const redis = createRedis(redisConnectionFromEnv(ctx.env, `penumbra-${ctx.name}-${ctx.instanceId}`));
  redis.on('error', (err: Error) => ctx.logger.warn('redis error', { err }));
  await redis.connect();
  stops.push('redis', () => redis.quit());
  ctx.health.register('redis', () => redisReadiness(redis));
  return redis;
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
