import { type Provider } from '@nestjs/common';
import { type ServiceEnv } from '@penumbra/config';
import { type ExperimentRecord } from '@penumbra/contracts';
import { type HttpReplayClient, createReplayClient } from '@penumbra/http';
import { type ProducerPort, type TopicTable } from '@penumbra/kafka';
import { CountsPublisher, ExperimentRegistry, MirrorCounts, MirrorMetrics } from '@penumbra/mirror';
import { parseDestinationPolicy } from '@penumbra/mirror-core';
import { type Logger } from '@penumbra/observability';
import { ExperimentAlerts, closedResource, startExperimentTable } from '@penumbra/service-kit';

export type MirrorEnv = ServiceEnv<'traffic-mirror'>;

/** What the mirror's handlers share: the experiments it mirrors, where pairs go, how requests are replayed. */
export interface MirrorRuntime {
  registry: ExperimentRegistry;
  producer: ProducerPort;
  client: HttpReplayClient;
  metrics: MirrorMetrics;
  counts: MirrorCounts;
  /** Every experiment the operators published, halted or refused ones included. */
  experiments: (id: string) => ExperimentRecord | undefined;
}

export const MIRROR_RUNTIME = Symbol('MIRROR_RUNTIME');

interface Started extends MirrorRuntime {
  table: TopicTable<ExperimentRecord>;
  alerts: ExperimentAlerts;
  logger: Logger;
  countsPublisher: CountsPublisher;
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
      const table = await startExperimentTable(ctx, (id, record) => (record ? registry.upsert(record) : registry.remove(id)), alerts);
      const counts = new MirrorCounts(`${ctx.instanceId}:${Date.now()}`);
      const countsPublisher = new CountsPublisher({ counts, producer, topic: ctx.topics.metrics, intervalMs: env.MIRROR_COUNTS_INTERVAL_MS, logger: ctx.logger });
      const experiments = (id: string) => table.get(id);
      return { registry, producer, client, metrics: new MirrorMetrics(ctx.registry), counts, experiments, table, alerts, logger: ctx.logger, countsPublisher };
    },
    async (started) => {
      const parts: Array<[string, () => Promise<unknown>]> = [
        ['experiments table', () => started.table.stop()],
        ['experiment alerts', () => started.alerts.drain()],
        ['mirror counts', () => started.countsPublisher.stop()],
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
