import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type ServiceEnv } from '@penumbra/config';
import { ComparatorMetrics, RedisNoiseStore, comparatorHandler } from '@penumbra/comparator';
import { type ExperimentRecord, experimentRecordSchema, pairSchema } from '@penumbra/contracts';
import { BatchConsumer, TopicTable } from '@penumbra/kafka';
import { createRedis, redisConnectionFromEnv, redisReadiness } from '@penumbra/redis';
import { SERVICE_CONTEXT, type ServiceContext } from '@penumbra/service-kit';

export type ComparatorEnv = ServiceEnv<'comparator'>;

@Injectable()
export class ComparatorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stoppers: Array<() => Promise<void>> = [];

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<ComparatorEnv>) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ctx } = this;
    const redis = createRedis(redisConnectionFromEnv(ctx.env, `penumbra-comparator-${ctx.instanceId}`));
    redis.on('error', (err: Error) => ctx.logger.warn('redis error', { err }));
    await redis.connect();
    this.stoppers.unshift(async () => void (await redis.quit()));
    ctx.health.register('redis', () => redisReadiness(redis));

    const producer = await ctx.kafka.producer();
    this.stoppers.unshift(() => producer.disconnect());

    const table = new TopicTable<ExperimentRecord>({
      client: ctx.kafka,
      topic: ctx.topics.experiments,
      schema: experimentRecordSchema,
      groupPrefix: ctx.groupId(`experiments-${ctx.instanceId}`),
      logger: ctx.logger,
    });
    await table.start();
    this.stoppers.unshift(() => table.stop());
    ctx.health.register('experiments', () => ({ ok: table.ready, detail: `${table.size} experiments` }));

    const consumer = new BatchConsumer({
      client: ctx.kafka,
      groupId: ctx.groupId(),
      topics: [{ topic: ctx.topics.pairs, schema: pairSchema }],
      handler: comparatorHandler({
        experiments: (id) => table.get(id)?.spec,
        store: new RedisNoiseStore(redis),
        producer,
        diffsTopic: ctx.topics.diffs,
        keyPrefix: ctx.env.REDIS_KEY_PREFIX,
        maxBodyBytes: ctx.env.COMPARATOR_MAX_BODY_BYTES,
        metrics: new ComparatorMetrics(ctx.registry),
      }),
      deadLetterTopic: ctx.topics.dlq,
      deadLetters: producer,
      logger: ctx.logger.child({ consumer: 'pairs' }),
      metrics: ctx.metrics,
      sessionTimeoutMs: ctx.env.KAFKA_SESSION_TIMEOUT_MS,
      partitionsConsumedConcurrently: 2,
    });
    await consumer.start();
    this.stoppers.unshift(() => consumer.stop());
    ctx.health.register('pairs-consumer', () => consumer.health());
  }

  async onApplicationShutdown(): Promise<void> {
    for (const stop of this.stoppers.splice(0)) {
      try {
        await stop();
      } catch (err) {
        this.ctx.logger.error('stop failed', { err });
      }
    }
    this.ctx.logger.info('service stopped: work in hand finished and committed');
  }
}
