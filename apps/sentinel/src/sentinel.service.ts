import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type ServiceEnv } from '@penumbra/config';
import { type Ack, type AggregateSnapshot, type ControlRequest, ackSchema, aggregateSnapshotSchema, controlRequestSchema, verifyMessage } from '@penumbra/contracts';
import { BatchConsumer, type ProducerPort, createTransactionalKafka, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { SERVICE_CONTEXT, type ServiceContext, StopStack, connectRedis, loadOperatorKeysFile, startExperimentTable, consumerDefaults, watchConsumer } from '@penumbra/service-kit';
import { type z } from 'zod';
import { CommandHistory } from './command-history';
import { ControlRouter } from './control-router';
import { ExperimentEvaluator } from './experiment-evaluator';
import { loadApplierKeys, loadCommandKeys } from './operator-keys';
import { alertOf } from './outputs';
import { SentinelMetrics } from './sentinel-metrics';
import { SentinelStateStore } from '@penumbra/sentinel-state';

export type SentinelEnv = ServiceEnv<'sentinel'>;
type Input = AggregateSnapshot | Ack;

@Injectable()
export class SentinelService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stops = new StopStack();
  private ticking = false;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<SentinelEnv>) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ctx } = this;
    const keys = loadOperatorKeysFile('PENUMBRA_OPERATOR_KEYS_FILE', ctx.env.PENUMBRA_OPERATOR_KEYS_FILE);
    const commandKeys = loadCommandKeys(ctx.env.SENTINEL_SIGNING_KEY_FILE, ctx.env.PENUMBRA_COMMAND_KEYS_FILE);
    const applierKeys = loadApplierKeys(ctx.env.SENTINEL_APPLIER_KEYS_FILE);
    if (applierKeys.size === 0) ctx.logger.warn('no SENTINEL_APPLIER_KEYS_FILE: no acknowledgement will clear a deadline, every live command will alert as unacknowledged');
    if (keys === undefined) ctx.logger.warn('no PENUMBRA_OPERATOR_KEYS_FILE: every control request will be rejected');
    const redis = await connectRedis(ctx, this.stops);
    const producer = await ctx.kafka.producer();
    this.stops.push('producer', () => producer.disconnect());
    const table = await startExperimentTable(ctx, this.stops);
    const experiments = (id: string) => table.get(id);

    const metrics = new SentinelMetrics(ctx.registry);
    const store = new SentinelStateStore(redis, ctx.env.REDIS_KEY_PREFIX);
    const evaluator = new ExperimentEvaluator({
      redis,
      store,
      producer,
      topics: ctx.topics,
      windows: { prefix: ctx.env.REDIS_KEY_PREFIX, windowMs: ctx.env.AGGREGATOR_WINDOW_MS },
      experiments,
      history: new CommandHistory(
        createTransactionalKafka(kafkaConnectionFromEnv(ctx.env, `penumbra-sentinel-${ctx.instanceId}`), ctx.logger.child({ component: 'kafka' })),
        ctx.topics.commands,
        commandKeys.trusted,
        (reason) => ctx.logger.warn('forged or unsigned command ignored', { reason }),
      ),
      signer: commandKeys.signer,
      ackTimeoutMs: ctx.env.SENTINEL_ACK_TIMEOUT_MS,
      stalledAfterMs: ctx.env.SENTINEL_STALLED_MS,
      logger: ctx.logger,
      metrics,
    });
    const router = new ControlRouter({ evaluator, store, producer, alertsTopic: ctx.topics.alerts, keys, experiments, metrics });

    const consumer = new BatchConsumer<Input>({
      client: ctx.kafka,
      groupId: ctx.groupId(),
      topics: [
        { topic: ctx.topics.aggregates, schema: aggregateSnapshotSchema as z.ZodType<Input> },
        { topic: ctx.topics.acks, schema: ackSchema as z.ZodType<Input> },
      ],
      fromBeginning: false,
      handler: async (records, batch) => {
        if (batch.topic === ctx.topics.aggregates) {
          const ids = new Set(records.map((r) => r.value.experimentId));
          for (const id of ids) await evaluator.serialize(id, () => evaluator.evaluateExperiment(id));
        } else {
          for (const r of records) {
            const ack = r.value as Ack;
            const verified = verifyMessage(ack, applierKeys);
            if (verified.ok) await store.acknowledged(ack.commandId);
            else ctx.logger.warn('acknowledgement ignored: not signed by a known applier key', { commandId: ack.commandId, appliedBy: ack.appliedBy, reason: verified.reason });
          }
        }
      },
      ...consumerDefaults(ctx),
      deadLetters: producer,
      logger: ctx.logger.child({ consumer: 'sentinel' }),
    });
    // Operators' requests have a consumer of their own: a backlog of snapshots or a flood of
    // forged requests on one input never delays a kill on the other.
    const control = new BatchConsumer<ControlRequest>({
      client: ctx.kafka,
      groupId: ctx.groupId('control'),
      topics: [{ topic: ctx.topics.control, schema: controlRequestSchema }],
      fromBeginning: false,
      handler: async (records) => {
        for (const r of records) await router.route(r.value);
      },
      ...consumerDefaults(ctx),
      deadLetters: producer,
      logger: ctx.logger.child({ consumer: 'sentinel-control' }),
    });
    await consumer.start();
    this.stops.push('consumer', () => consumer.stop());
    await control.start();
    this.stops.push('control consumer', () => control.stop());
    watchConsumer(ctx, 'sentinel-consumer', consumer);
    watchConsumer(ctx, 'sentinel-control-consumer', control);

    const timer = setInterval(
      () =>
        void this.tick(
          table.values().map((r) => r.experimentId),
          evaluator,
          store,
          producer,
          metrics,
        ),
      ctx.env.SENTINEL_EVALUATE_INTERVAL_MS,
    );
    this.stops.push('evaluation timer', async () => clearInterval(timer));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stops.stopAll(this.ctx.logger);
  }

  /** Bake times, cooldowns, watch periods and stalls move with the clock, not only with snapshots. */
  private async tick(ids: Iterable<string>, evaluator: ExperimentEvaluator, store: SentinelStateStore, producer: ProducerPort, metrics: SentinelMetrics): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      for (const id of [...ids]) await evaluator.serialize(id, () => evaluator.evaluateExperiment(id));
      const now = Date.now();
      for (const overdue of await store.overdueAcks(now)) {
        const alert = alertOf(
          overdue.experimentId,
          '*',
          {
            kind: 'command-unacknowledged',
            severity: 'warning',
            message: `command ${overdue.commandId} was not acknowledged within ${this.ctx.env.SENTINEL_ACK_TIMEOUT_MS} ms`,
            dedupeKey: `unacked:${overdue.commandId}`,
            details: { commandId: overdue.commandId },
          },
          now,
        );
        await producer.send([{ topic: this.ctx.topics.alerts, key: overdue.experimentId, value: JSON.stringify(alert) }]);
        await store.acknowledged(overdue.commandId);
        metrics.unacknowledged.inc();
      }
    } catch (err) {
      this.ctx.logger.warn('evaluation tick failed; the next one tries again', { err });
    } finally {
      this.ticking = false;
    }
  }
}
