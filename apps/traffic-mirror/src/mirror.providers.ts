import { type Provider } from '@nestjs/common';
import { type ServiceEnv } from '@penumbra/config';
import { type ExperimentRecord, metricObservationSchema } from '@penumbra/contracts';
import { type HttpReplayClient, createReplayClient } from '@penumbra/http';
import { type ProducerPort, type TopicTable, encodeEvent } from '@penumbra/kafka';
import { ExperimentRegistry, MirrorCounts, MirrorMetrics } from '@penumbra/mirror';
import { parseDestinationPolicy } from '@penumbra/mirror-core';
import { type Logger } from '@penumbra/observability';
import { ExperimentAlerts, StopStack, closedResource, startExperimentTable } from '@penumbra/service-kit';

export type MirrorEnv = ServiceEnv<'traffic-mirror'>;

/** What the mirror's handlers share: the experiments it mirrors, where pairs go, how requests are replayed. */
export interface MirrorRuntime {
  registry: ExperimentRegistry;
  producer: ProducerPort;
  client: HttpReplayClient;
  metrics: MirrorMetrics;
  counts: MirrorCounts;
}

export const MIRROR_RUNTIME = Symbol('MIRROR_RUNTIME');

interface Started extends MirrorRuntime {
  table: TopicTable<ExperimentRecord>;
  alerts: ExperimentAlerts;
  logger: Logger;
  /** Stops the periodic counts and publishes the last ones. */
  stopCounts(): Promise<void>;
}

/**
 * Publishes the per-experiment counts as metric.v1 events every `intervalMs`; the returned stop
 * publishes the last ones, so it must run after the traffic consumer drained and before the producer closes.
 */
function publishCounts(counts: MirrorCounts, producer: ProducerPort, topic: string, intervalMs: number, logger: Logger): () => Promise<void> {
  let sending: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    const observations = counts.drain(Date.now());
    if (observations.length === 0) return sending;
    const messages = observations.map((o) => encodeEvent(metricObservationSchema, o, topic, o.experimentId));
    sending = sending
      .then(() => producer.send(messages))
      .catch((err: unknown) => logger.warn('mirror counts not published; coverage undercounts this interval', { observations: observations.length, err }));
    return sending;
  };
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    return flush();
  };
}

const STARTED = Symbol('MIRROR_STARTED');

/**
 * Built once the experiments are loaded; closed on application shutdown, after the transport
 * drained, in one order: the experiments table, the last counts, the producer, the replay client.
 */
export const mirrorProviders: Provider[] = [
  ...closedResource<Started>(
    STARTED,
    'mirror',
    async (ctx) => {
      const env = ctx.env as MirrorEnv;
      const alerts = new ExperimentAlerts(ctx);
      const registry = new ExperimentRegistry({
        destinations: parseDestinationPolicy((env.MIRROR_ALLOWED_TARGETS ?? '').split(',')),
        onRefused: (experimentId, reason) => {
          ctx.logger.error('experiment not mirrored: a destination is not allowed', { experimentId, reason });
          alerts.raise(experimentId, `destination:${reason.slice(0, 200)}`, `${experimentId} is not mirrored: its ${reason} (MIRROR_ALLOWED_TARGETS)`, { reason });
        },
      });
      const producer = await ctx.kafka.producer();
      const client = createReplayClient({ connectionsPerOrigin: env.MIRROR_MAX_SOCKETS_PER_TARGET });
      // The table is stopped below, with the mirror's other resources; this stack is not used.
      const table = await startExperimentTable(ctx, new StopStack(), (id, record) => (record ? registry.upsert(record) : registry.remove(id)), alerts);
      const counts = new MirrorCounts(`${ctx.instanceId}:${Date.now()}`);
      const stopCounts = publishCounts(counts, producer, ctx.topics.metrics, env.MIRROR_COUNTS_INTERVAL_MS, ctx.logger);
      return { registry, producer, client, metrics: new MirrorMetrics(ctx.registry), counts, table, alerts, logger: ctx.logger, stopCounts };
    },
    async (started) => {
      const parts: Array<[string, () => Promise<unknown>]> = [
        ['experiments table', () => started.table.stop()],
        ['experiment alerts', () => started.alerts.drain()],
        ['mirror counts', () => started.stopCounts()],
        ['producer', () => started.producer.disconnect()],
        ['replay client', () => started.client.close()],
      ];
      for (const [part, close] of parts) {
        try {
          await close();
        } catch (err) {
          started.logger.error('stop failed', { part, err });
        }
      }
    },
  ),
  { provide: MIRROR_RUNTIME, inject: [STARTED], useFactory: (started: Started): MirrorRuntime => started },
];
