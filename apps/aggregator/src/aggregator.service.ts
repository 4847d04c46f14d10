import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SliceAdmission, WindowStore } from '@penumbra/aggregates';
import { type ServiceEnv } from '@penumbra/config';
import { type DiffEvent, type MetricObservation, diffEventSchema, metricObservationSchema } from '@penumbra/contracts';
import { BatchConsumer, type ProducerPort } from '@penumbra/kafka';
import { type RedisClient } from '@penumbra/redis';
import { SERVICE_CONTEXT, type ServiceContext, StopStack, connectRedis, consumerDefaults, watchConsumer } from '@penumbra/service-kit';
import { type z } from 'zod';
import { aggregateHandler } from './aggregate-handler';
import { SliceCapAlerts } from './slice-cap-alerts';
import { SnapshotScheduler } from './snapshot-scheduler';

export type AggregatorEnv = ServiceEnv<'aggregator'>;
type Input = DiffEvent | MetricObservation;

const HISTOGRAM_ALPHA = 0.01;

interface SliceCaps {
  slices: SliceAdmission;
  sliceAlerts: SliceCapAlerts;
}

@Injectable()
export class AggregatorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stops = new StopStack();
  private consumer: BatchConsumer<Input> | undefined;
  private group: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<AggregatorEnv>) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ctx } = this;
    const redis = await connectRedis(ctx, this.stops);
    const producer = await ctx.kafka.producer();
    this.stops.push('producer', () => producer.disconnect());

    const keys = { prefix: ctx.env.REDIS_KEY_PREFIX, windowMs: ctx.env.AGGREGATOR_WINDOW_MS };
    const store = new WindowStore(redis, { ...keys, retentionMs: ctx.env.AGGREGATOR_RETENTION_MS, dedupeMs: ctx.env.AGGREGATOR_DEDUPE_MS, maxTopPaths: 100, maxExamples: 3 });
    const sliceAlerts = new SliceCapAlerts(ctx.env.AGGREGATOR_MAX_SLICES_PER_EXPERIMENT, ctx.env.AGGREGATOR_CAP_ALERT_INTERVAL_MS);
    const slices = new SliceAdmission(redis, keys, ctx.env.AGGREGATOR_MAX_SLICES_PER_EXPERIMENT);
    const snapshots = new SnapshotScheduler({
      redis,
      keys,
      producer,
      topic: ctx.topics.aggregates,
      alertsTopic: ctx.topics.alerts,
      logger: ctx.logger.child({ component: 'snapshots' }),
      maxTracked: ctx.env.AGGREGATOR_MAX_TRACKED_WINDOWS,
      alerts: sliceAlerts,
    });

    const group = await this.groupFromMarker(redis, store, ctx.env.AGGREGATOR_REBUILD_ON_START);
    const caps = { slices, sliceAlerts };
    await this.startConsumer(group, store, producer, snapshots, caps);
    this.stops.push('consumer', () => this.consumer?.stop() ?? Promise.resolve());

    this.timer = setInterval(() => void this.tick(redis, store, producer, snapshots, caps), ctx.env.AGGREGATOR_PARTIAL_SNAPSHOT_MS);
    this.stops.push('snapshot timer', async () => clearInterval(this.timer));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stops.stopAll(this.ctx.logger);
  }

  /**
   * Redis is a read model, so the consumer group lives in it: the marker names the group whose
   * offsets match what Redis holds. With no marker (a fresh or wiped Redis) a new group is named
   * and reads the retained topics from the start, so the rollups are rebuilt exactly once; the
   * first replica to set the marker wins and the others follow it.
   */
  private async groupFromMarker(redis: RedisClient, store: WindowStore, rebuild: boolean): Promise<string> {
    const proposed = rebuild ? `${this.ctx.groupId()}@${Date.now().toString(36)}` : this.ctx.groupId();
    const created = await redis.set(store.markerKey(), proposed, 'NX');
    const group = (await redis.get(store.markerKey())) ?? proposed;
    if (created) this.ctx.logger.warn('no aggregates marker in Redis: rebuilding from the retained topics', { group });
    return group;
  }

  private async startConsumer(group: string, store: WindowStore, producer: ProducerPort, snapshots: SnapshotScheduler, caps: SliceCaps): Promise<void> {
    const { ctx } = this;
    const consumer = new BatchConsumer<Input>({
      client: ctx.kafka,
      groupId: group,
      topics: [
        { topic: ctx.topics.diffs, schema: diffEventSchema as z.ZodType<Input> },
        { topic: ctx.topics.metrics, schema: metricObservationSchema as z.ZodType<Input> },
      ],
      handler: aggregateHandler({
        group,
        store,
        snapshots,
        ...caps,
        histogramAlpha: HISTOGRAM_ALPHA,
        maxFutureSkewMs: ctx.env.AGGREGATOR_MAX_SKEW_MS,
        maxAgeMs: ctx.env.AGGREGATOR_MAX_AGE_MS > 0 ? ctx.env.AGGREGATOR_MAX_AGE_MS : undefined,
      }),
      ...consumerDefaults(ctx),
      deadLetters: producer,
      logger: ctx.logger.child({ consumer: 'diffs' }),
      partitionsConsumedConcurrently: 2,
    });
    await consumer.start();
    this.consumer = consumer;
    this.group = group;
    watchConsumer(ctx, 'diffs-consumer', consumer);
  }

  private async tick(redis: RedisClient, store: WindowStore, producer: ProducerPort, snapshots: SnapshotScheduler, caps: SliceCaps): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const group = await this.groupFromMarker(redis, store, true);
      if (group !== this.group) {
        await this.consumer?.stop();
        await this.startConsumer(group, store, producer, snapshots, caps);
      }
      await snapshots.tick(Date.now());
    } catch (err) {
      this.ctx.logger.warn('snapshot tick failed; will try again', { err });
    } finally {
      this.ticking = false;
    }
  }
}
