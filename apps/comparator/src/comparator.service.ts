import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type ServiceEnv } from '@penumbra/config';
import { ComparatorMetrics, RedisNoiseStore, comparatorHandler } from '@penumbra/comparator';
import { pairSchema } from '@penumbra/contracts';
import { BatchConsumer } from '@penumbra/kafka';
import { SERVICE_CONTEXT, type ServiceContext, StopStack, connectRedis, startExperimentTable, consumerDefaults, watchConsumer } from '@penumbra/service-kit';

export type ComparatorEnv = ServiceEnv<'comparator'>;

@Injectable()
export class ComparatorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stops = new StopStack();

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<ComparatorEnv>) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ctx } = this;
    const redis = await connectRedis(ctx, this.stops);

    const producer = await ctx.kafka.producer();
    this.stops.push('producer', () => producer.disconnect());

    const table = await startExperimentTable(ctx, this.stops);

    const consumer = new BatchConsumer({
      client: ctx.kafka,
      groupId: ctx.groupId(),
      topics: [{ topic: ctx.topics.pairs, schema: pairSchema }],
      handler: comparatorHandler({
        experiments: (id) => table.get(id)?.spec,
        halted: (id) => table.get(id)?.halted !== undefined,
        store: new RedisNoiseStore(redis),
        producer,
        diffsTopic: ctx.topics.diffs,
        keyPrefix: ctx.env.REDIS_KEY_PREFIX,
        maxBodyBytes: ctx.env.COMPARATOR_MAX_BODY_BYTES,
        maxJsonDepth: ctx.env.COMPARATOR_MAX_JSON_DEPTH,
        metrics: new ComparatorMetrics(ctx.registry),
        credentials: ctx.credentials,
      }),
      ...consumerDefaults(ctx),
      deadLetters: producer,
      logger: ctx.logger.child({ consumer: 'pairs' }),
      partitionsConsumedConcurrently: 2,
    });
    await consumer.start();
    this.stops.push('pairs consumer', () => consumer.stop());
    watchConsumer(ctx, 'pairs-consumer', consumer);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stops.stopAll(this.ctx.logger);
  }
}
