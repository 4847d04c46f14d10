import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type ServiceEnv } from '@penumbra/config';
import { goReplayMessageSchema, metricObservationSchema, trafficRecordSchema } from '@penumbra/contracts';
import { type HttpReplayClient, createReplayClient } from '@penumbra/http';
import { BatchConsumer, DeadLetterWriter, type ProducerPort, encodeEvent } from '@penumbra/kafka';
import { GoReplayJoiner, parseDestinationPolicy } from '@penumbra/mirror-core';
import { ExperimentAlerts, SERVICE_CONTEXT, type ServiceContext, StopStack, consumerDefaults, startExperimentTable, watchConsumer } from '@penumbra/service-kit';
import { ExperimentRegistry, MirrorCounts, MirrorEngine, MirrorMetrics, goReplayHandler, trafficHandler } from '@penumbra/mirror';

export type MirrorEnv = ServiceEnv<'traffic-mirror'>;

@Injectable()
export class MirrorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly registry: ExperimentRegistry;
  private readonly stops = new StopStack();
  private readonly alerts: ExperimentAlerts;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<MirrorEnv>) {
    this.alerts = new ExperimentAlerts(ctx);
    this.registry = new ExperimentRegistry({
      destinations: parseDestinationPolicy((ctx.env.MIRROR_ALLOWED_TARGETS ?? '').split(',')),
      onRefused: (experimentId, reason) => {
        ctx.logger.error('experiment not mirrored: a destination is not allowed', { experimentId, reason });
        this.alerts.raise(experimentId, `destination:${reason.slice(0, 200)}`, `${experimentId} is not mirrored: its ${reason} (MIRROR_ALLOWED_TARGETS)`, { reason });
      },
    });
  }

  /** The experiments as the mirror currently sees them. */
  experimentIds(): string[] {
    return this.registry.list().map((e) => e.spec.id);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { ctx } = this;
    const metrics = new MirrorMetrics(ctx.registry);
    const producer = await ctx.kafka.producer();
    this.stops.push('producer', () => producer.disconnect());
    const client = createReplayClient({ connectionsPerOrigin: ctx.env.MIRROR_MAX_SOCKETS_PER_TARGET });
    this.stops.push('replay client', () => client.close());

    await startExperimentTable(ctx, this.stops, (id, record) => (record ? this.registry.upsert(record) : this.registry.remove(id)), this.alerts);

    await this.startTraffic(producer, client, metrics);
    if (ctx.env.GOREPLAY_TOPIC) await this.startGoReplay(ctx.env.GOREPLAY_TOPIC, producer, metrics);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stops.stopAll(this.ctx.logger);
  }

  private async startTraffic(producer: ProducerPort, client: HttpReplayClient, metrics: MirrorMetrics): Promise<void> {
    const { ctx } = this;
    const counts = new MirrorCounts(`${ctx.instanceId}:${Date.now()}`);
    const engine = new MirrorEngine({ experiments: this.registry, client, metrics, counts, credentials: ctx.credentials });
    const consumer = new BatchConsumer({
      client: ctx.kafka,
      groupId: ctx.groupId(),
      topics: [{ topic: ctx.topics.traffic, schema: trafficRecordSchema }],
      handler: trafficHandler(engine, producer, ctx.topics.pairs),
      ...consumerDefaults(ctx),
      deadLetters: producer,
      logger: ctx.logger.child({ consumer: 'traffic' }),
      fromBeginning: ctx.env.MIRROR_START_FROM === 'earliest',
      partitionsConsumedConcurrently: ctx.env.MIRROR_PARTITIONS_CONCURRENTLY,
    });
    // Pushed before the consumer, so it is stopped after it: the last counts are published.
    this.publishCounts(counts, producer);
    await consumer.start();
    this.stops.push('traffic consumer', () => consumer.stop());
    watchConsumer(ctx, 'traffic-consumer', consumer);
  }

  /** Publishes the per-experiment counts as metric.v1 events every MIRROR_COUNTS_INTERVAL_MS, and once more at stop. */
  private publishCounts(counts: MirrorCounts, producer: ProducerPort): void {
    const { ctx } = this;
    let sending: Promise<void> = Promise.resolve();
    const flush = (): Promise<void> => {
      const observations = counts.drain(Date.now());
      if (observations.length === 0) return sending;
      const messages = observations.map((o) => encodeEvent(metricObservationSchema, o, ctx.topics.metrics, o.experimentId));
      sending = sending
        .then(() => producer.send(messages))
        .catch((err: unknown) => ctx.logger.warn('mirror counts not published; coverage undercounts this interval', { observations: observations.length, err }));
      return sending;
    };
    const timer = setInterval(() => void flush(), ctx.env.MIRROR_COUNTS_INTERVAL_MS);
    timer.unref();
    this.stops.push('mirror counts', () => {
      clearInterval(timer);
      return flush();
    });
  }

  private async startGoReplay(topic: string, producer: ProducerPort, metrics: MirrorMetrics): Promise<void> {
    const { ctx } = this;
    const groupId = ctx.groupId('goreplay');
    const joiner = new GoReplayJoiner({
      service: ctx.env.GOREPLAY_SERVICE,
      windowMs: ctx.env.GOREPLAY_WINDOW_MS,
      maxPending: ctx.env.GOREPLAY_MAX_PENDING,
      maxPendingBytes: ctx.env.GOREPLAY_MAX_PENDING_BYTES,
      maxBodyBytes: ctx.env.GOREPLAY_MAX_BODY_BYTES,
      attributeHeaders: ctx.env.GOREPLAY_ATTRIBUTE_HEADERS,
    });
    const consumer = new BatchConsumer({
      client: ctx.kafka,
      groupId,
      topics: [{ topic, schema: goReplayMessageSchema }],
      handler: goReplayHandler({
        joiner,
        producer,
        trafficTopic: ctx.topics.traffic,
        letters: new DeadLetterWriter({
          topic: ctx.topics.dlq,
          producer,
          groupId,
          logger: ctx.logger.child({ consumer: 'goreplay' }),
          metrics: ctx.metrics,
          retry: { attempts: 5, initialDelayMs: 200, maxDelayMs: 5_000 },
          maxValueBytes: ctx.env.DEAD_LETTER_MAX_VALUE_BYTES,
          alertTopic: ctx.topics.alerts,
          spike: { threshold: ctx.env.DEAD_LETTER_SPIKE_COUNT, windowMs: ctx.env.DEAD_LETTER_SPIKE_WINDOW_MS },
        }),
        consumerGroup: groupId,
        metrics,
        alertTopic: ctx.topics.alerts,
      }),
      ...consumerDefaults(ctx),
      deadLetters: producer,
      logger: ctx.logger.child({ consumer: 'goreplay' }),
      // Halves expire on time even when no further message comes to carry the check.
      idleTickMs: Math.max(100, Math.min(1_000, Math.floor(ctx.env.GOREPLAY_WINDOW_MS / 4))),
    });
    await consumer.start();
    this.stops.push('goreplay consumer', () => consumer.stop());
    watchConsumer(ctx, 'goreplay-consumer', consumer);
  }
}
