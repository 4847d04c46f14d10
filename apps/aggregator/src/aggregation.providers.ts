import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import { SliceAdmission, SliceCapAlerts, SnapshotScheduler, WindowStore } from '@penumbra/aggregates';
import { type ServiceEnv } from '@penumbra/config';
import { type ExperimentRecord, type TopicKey } from '@penumbra/contracts';
import { type ProducerPort, type TopicTable } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { type RedisClient } from '@penumbra/redis';
import {
  BATCH_TRANSPORT,
  type BatchTransport,
  EXPERIMENTS,
  LOGGER,
  PeriodicTask,
  PRODUCER,
  REDIS,
  SERVICE_ENV,
  SERVICE_IDENTITY,
  type ServiceIdentity,
  TOPICS,
} from '@penumbra/service-kit';

export type AggregatorEnv = ServiceEnv<'aggregator'>;

/** The windows in Redis, the slice cap and the snapshot schedule the aggregator's handlers share. */
export interface Aggregation {
  store: WindowStore;
  slices: SliceAdmission;
  sliceAlerts: SliceCapAlerts;
  snapshots: SnapshotScheduler;
}

export const AGGREGATION = Symbol('AGGREGATION');

export const aggregationProvider: Provider = {
  provide: AGGREGATION,
  inject: [SERVICE_ENV, REDIS, PRODUCER, TOPICS, LOGGER, EXPERIMENTS],
  useFactory: (
    env: AggregatorEnv,
    redis: RedisClient,
    producer: ProducerPort,
    topics: Record<TopicKey, string>,
    logger: Logger,
    experiments: TopicTable<ExperimentRecord>,
  ): Aggregation => {
    const keys = { prefix: env.REDIS_KEY_PREFIX, windowMs: env.AGGREGATOR_WINDOW_MS };
    const sliceAlerts = new SliceCapAlerts(env.AGGREGATOR_MAX_SLICES_PER_EXPERIMENT, env.AGGREGATOR_CAP_ALERT_INTERVAL_MS);
    return {
      store: new WindowStore(redis, { ...keys, retentionMs: env.AGGREGATOR_RETENTION_MS, dedupeMs: env.AGGREGATOR_DEDUPE_MS }),
      slices: new SliceAdmission(redis, keys, env.AGGREGATOR_MAX_SLICES_PER_EXPERIMENT),
      sliceAlerts,
      snapshots: new SnapshotScheduler({
        redis,
        keys,
        producer,
        topic: topics.aggregates,
        alertsTopic: topics.alerts,
        logger: logger.child({ component: 'snapshots' }),
        maxTracked: env.AGGREGATOR_MAX_TRACKED_WINDOWS,
        alerts: sliceAlerts,
        retentionMs: env.AGGREGATOR_RETENTION_MS,
        pathSettings: (id) => experiments.get(id)?.spec.compare.verdicts,
      }),
    };
  },
};

/**
 * Redis is a read model, so the consumer group lives in it: the marker names the group whose
 * offsets match what Redis holds. With no marker (a fresh or wiped Redis) a new group is named
 * and reads the retained topics from the start, so the rollups are rebuilt exactly once; the
 * first replica to set the marker wins and the others follow it. Each tick publishes the
 * snapshots due and moves the consumer when the marker changed.
 */
@Injectable()
export class AggregatesMarker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly ticks = new PeriodicTask(() => this.tick());

  constructor(
    @Inject(SERVICE_ENV) private readonly env: AggregatorEnv,
    @Inject(AGGREGATION) private readonly aggregation: Aggregation,
    @Inject(BATCH_TRANSPORT) private readonly transport: BatchTransport,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.transport.useGroup(undefined, await this.groupFromMarker(this.env.AGGREGATOR_REBUILD_ON_START));
    this.ticks.start(this.env.AGGREGATOR_PARTIAL_SNAPSHOT_MS);
  }

  /** Before the transport closes: no tick may move the consumer or publish while it drains. */
  beforeApplicationShutdown(): Promise<void> {
    return this.ticks.stop();
  }

  private async groupFromMarker(rebuild: boolean): Promise<string> {
    const proposed = rebuild ? `${this.identity.groupId()}@${Date.now().toString(36)}` : this.identity.groupId();
    const { group, created } = await this.aggregation.store.claimMarker(proposed);
    if (created) this.logger.warn('no aggregates marker in Redis: rebuilding from the retained topics', { group });
    return group;
  }

  private async tick(): Promise<void> {
    try {
      await this.transport.useGroup(undefined, await this.groupFromMarker(true));
      await this.aggregation.snapshots.tick(Date.now());
    } catch (err) {
      this.logger.warn('snapshot tick failed; will try again', { err });
    }
  }
}
