import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import { type ServiceEnv } from '@penumbra/config';
import { type ExperimentRecord, type TopicKey } from '@penumbra/contracts';
import { type ProducerPort, type TopicTable, createTransactionalKafka, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { type Logger, METRICS_REGISTRY } from '@penumbra/observability';
import { type RedisClient } from '@penumbra/redis';
import { SentinelStateStore } from '@penumbra/sentinel-state';
import { EXPERIMENTS, LOGGER, PRODUCER, PeriodicTask, REDIS, SERVICE_ENV, SERVICE_IDENTITY, type ServiceIdentity, TOPICS, loadOperatorKeysFile } from '@penumbra/service-kit';
import { type Registry } from 'prom-client';
import { CommandHistory, ControlRouter, ExperimentEvaluator, SentinelMetrics, alertOf, loadApplierKeys, loadCommandKeys } from '@penumbra/sentinel';

export type SentinelEnv = ServiceEnv<'sentinel'>;

/** What the sentinel's handlers and its clock share: the evaluator, the control router, the state and the applier keys. */
export interface Sentinel {
  evaluator: ExperimentEvaluator;
  router: ControlRouter;
  store: SentinelStateStore;
  metrics: SentinelMetrics;
  applierKeys: ReturnType<typeof loadApplierKeys>;
  experiments: TopicTable<ExperimentRecord>;
}

export const SENTINEL = Symbol('SENTINEL');

export const sentinelProvider: Provider = {
  provide: SENTINEL,
  inject: [SERVICE_ENV, REDIS, PRODUCER, EXPERIMENTS, TOPICS, LOGGER, METRICS_REGISTRY, SERVICE_IDENTITY],
  useFactory: (
    env: SentinelEnv,
    redis: RedisClient,
    producer: ProducerPort,
    experiments: TopicTable<ExperimentRecord>,
    topics: Record<TopicKey, string>,
    logger: Logger,
    registry: Registry,
    identity: ServiceIdentity,
  ): Sentinel => {
    const keys = loadOperatorKeysFile('PENUMBRA_OPERATOR_KEYS_FILE', env.PENUMBRA_OPERATOR_KEYS_FILE);
    const commandKeys = loadCommandKeys(env.SENTINEL_SIGNING_KEY_FILE, env.PENUMBRA_COMMAND_KEYS_FILE);
    const applierKeys = loadApplierKeys(env.SENTINEL_APPLIER_KEYS_FILE);
    if (applierKeys.size === 0) logger.warn('no SENTINEL_APPLIER_KEYS_FILE: no acknowledgement will clear a deadline, every live command will alert as unacknowledged');
    if (keys === undefined) logger.warn('no PENUMBRA_OPERATOR_KEYS_FILE: every control request will be rejected');
    const find = (id: string) => experiments.get(id);
    const metrics = new SentinelMetrics(registry);
    const store = new SentinelStateStore(redis, env.REDIS_KEY_PREFIX);
    const evaluator = new ExperimentEvaluator({
      redis,
      store,
      producer,
      topics,
      windows: { prefix: env.REDIS_KEY_PREFIX, windowMs: env.AGGREGATOR_WINDOW_MS },
      experiments: find,
      history: new CommandHistory(
        createTransactionalKafka(kafkaConnectionFromEnv(env, `penumbra-sentinel-${identity.instanceId}`), logger.child({ component: 'kafka' })),
        topics.commands,
        commandKeys.trusted,
        (reason) => logger.warn('forged or unsigned command ignored', { reason }),
      ),
      signer: commandKeys.signer,
      ackTimeoutMs: env.SENTINEL_ACK_TIMEOUT_MS,
      stalledAfterMs: env.SENTINEL_STALLED_MS,
      logger,
      metrics,
    });
    const router = new ControlRouter({ evaluator, store, producer, alertsTopic: topics.alerts, keys, experiments: find, metrics });
    return { evaluator, router, store, metrics, applierKeys, experiments };
  },
};

/** Bake times, cooldowns, watch periods and stalls move with the clock, not only with snapshots. */
@Injectable()
export class SentinelClock implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly ticks = new PeriodicTask(() => this.tick());

  constructor(
    @Inject(SERVICE_ENV) private readonly env: SentinelEnv,
    @Inject(SENTINEL) private readonly sentinel: Sentinel,
    @Inject(PRODUCER) private readonly producer: ProducerPort,
    @Inject(TOPICS) private readonly topics: Record<TopicKey, string>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.ticks.start(this.env.SENTINEL_EVALUATE_INTERVAL_MS);
  }

  /** Before the transport closes: no tick may evaluate or alert while the consumers drain. */
  beforeApplicationShutdown(): Promise<void> {
    return this.ticks.stop();
  }

  private async tick(): Promise<void> {
    const { evaluator, store, metrics, experiments } = this.sentinel;
    try {
      for (const id of experiments.values().map((r) => r.experimentId)) await evaluator.serialize(id, () => evaluator.evaluateExperiment(id));
      const now = Date.now();
      for (const overdue of await store.overdueAcks(now)) {
        const alert = alertOf(
          overdue.experimentId,
          '*',
          {
            kind: 'command-unacknowledged',
            severity: 'warning',
            message: `command ${overdue.commandId} was not acknowledged within ${this.env.SENTINEL_ACK_TIMEOUT_MS} ms`,
            dedupeKey: `unacked:${overdue.commandId}`,
            details: { commandId: overdue.commandId },
          },
          now,
        );
        await this.producer.send([{ topic: this.topics.alerts, key: overdue.experimentId, value: JSON.stringify(alert) }]);
        await store.acknowledged(overdue.commandId);
        metrics.unacknowledged.inc();
      }
    } catch (err) {
      this.logger.warn('evaluation tick failed; the next one tries again', { err });
    }
  }
}
