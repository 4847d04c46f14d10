import { type DynamicModule, type InjectionToken, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { type ExperimentRecord } from '@penumbra/contracts';
import { type ProducerPort, type TopicTable } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { type RedisClient, type RedisEnv, createRedis, redisConnectionFromEnv, redisReadiness } from '@penumbra/redis';
import { type BatchTransport } from './batch-transport';
import { ExperimentAlerts } from './experiment-trust';
import { startExperimentTable } from './lifecycle';
import { SERVICE_CONTEXT, type ServiceContext } from './service-context';

/** The service's parsed environment (its zod schema's output). */
export const SERVICE_ENV = Symbol('SERVICE_ENV');
export const LOGGER = Symbol('LOGGER');
/** The service's PipelineMetrics (consumed, lag, retries, dead letters) on its registry. */
export const PIPELINE_METRICS = Symbol('PIPELINE_METRICS');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
/** The topic names, prefixed, by topic key. */
export const TOPICS = Symbol('TOPICS');
/** How credentials are hashed wherever the service writes them. */
export const CREDENTIALS = Symbol('CREDENTIALS');
/** The service's name, instance id and consumer group names. */
export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');
/** The service's BatchTransport, for a service that moves one of its inputs to another group. */
export const BATCH_TRANSPORT = Symbol('BATCH_TRANSPORT');
/** A connected Redis client, with its readiness check. */
export const REDIS = Symbol('REDIS');
/** A producer whose sends are durable (acks from all in-sync replicas). */
export const PRODUCER = Symbol('PRODUCER');
/** The experiments topic as a live table of the records an operator signed. */
export const EXPERIMENTS = Symbol('EXPERIMENTS');

export interface ServiceIdentity {
  name: string;
  instanceId: string;
  groupId(input?: string): string;
}

/** Runs `close` on application shutdown: after Nest closed the transport, so no batch is in hand any more. */
class CloseOnShutdown implements OnApplicationShutdown {
  constructor(
    private readonly part: string,
    private readonly close: () => Promise<unknown>,
    private readonly logger: Logger,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    try {
      await this.close();
    } catch (err) {
      this.logger.error('stop failed', { part: this.part, err });
    }
  }
}

/** A provider built by an async factory and closed on application shutdown, after the consumers drained. */
export function closedResource<T>(token: InjectionToken, part: string, create: (ctx: ServiceContext) => Promise<T>, close: (value: T) => Promise<unknown>): Provider[] {
  return [
    { provide: token, inject: [SERVICE_CONTEXT], useFactory: create },
    { provide: Symbol(`close ${part}`), inject: [token, LOGGER], useFactory: (value: T, logger: Logger) => new CloseOnShutdown(part, () => close(value), logger) },
  ];
}

export const redisProvider: Provider[] = closedResource<RedisClient>(
  REDIS,
  'redis',
  async (ctx) => {
    const env = ctx.env as ServiceContext['env'] & RedisEnv;
    const redis = createRedis(redisConnectionFromEnv(env, `penumbra-${ctx.name}-${ctx.instanceId}`));
    redis.on('error', (err: Error) => ctx.logger.warn('redis error', { err }));
    await redis.connect();
    ctx.health.register('redis', () => redisReadiness(redis));
    return redis;
  },
  (redis) => redis.quit(),
);

export const producerProvider: Provider[] = closedResource<ProducerPort>(
  PRODUCER,
  'producer',
  (ctx) => ctx.kafka.producer(),
  (producer) => producer.disconnect(),
);

const EXPERIMENTS_STARTED = Symbol('EXPERIMENTS_STARTED');

export const experimentsProvider: Provider[] = [
  ...closedResource<{ table: TopicTable<ExperimentRecord>; alerts: ExperimentAlerts }>(
    EXPERIMENTS_STARTED,
    'experiments table',
    async (ctx) => {
      const alerts = new ExperimentAlerts(ctx);
      const table = await startExperimentTable(ctx, undefined, alerts);
      return { table, alerts };
    },
    async ({ table, alerts }) => {
      await table.stop();
      await alerts.drain();
    },
  ),
  { provide: EXPERIMENTS, inject: [EXPERIMENTS_STARTED], useFactory: (started: { table: TopicTable<ExperimentRecord> }) => started.table },
];

/** What every service's providers may inject, from the context its main built once. */
@Module({})
export class ServiceCoreModule {
  static forRoot(ctx: ServiceContext, transport: BatchTransport): DynamicModule {
    const identity: ServiceIdentity = { name: ctx.name, instanceId: ctx.instanceId, groupId: (input) => ctx.groupId(input) };
    const providers: Provider[] = [
      { provide: SERVICE_CONTEXT, useValue: ctx },
      { provide: SERVICE_ENV, useValue: ctx.env },
      { provide: LOGGER, useValue: ctx.logger },
      { provide: PIPELINE_METRICS, useValue: ctx.metrics },
      { provide: KAFKA_CLIENT, useValue: ctx.kafka },
      { provide: TOPICS, useValue: ctx.topics },
      { provide: CREDENTIALS, useValue: ctx.credentials },
      { provide: SERVICE_IDENTITY, useValue: identity },
      { provide: BATCH_TRANSPORT, useValue: transport },
    ];
    return { module: ServiceCoreModule, global: true, providers, exports: providers.map((p) => (typeof p === 'object' && 'provide' in p ? p.provide : p)) };
  }
}
