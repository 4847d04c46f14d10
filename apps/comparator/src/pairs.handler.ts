import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type ServiceEnv } from '@penumbra/config';
import { ComparatorMetrics, RedisNoiseStore, cachedDecidedPaths, comparatorHandler } from '@penumbra/comparator';
import { readVerdictMarks } from '@penumbra/aggregates';
import { type ExperimentRecord, type Pair, type TopicKey } from '@penumbra/contracts';
import { type CredentialPolicy } from '@penumbra/credentials';
import { type BatchHandler, type BatchOutcome, type ConsumedRecord, type ProducerPort, type TopicTable } from '@penumbra/kafka';
import { METRICS_REGISTRY } from '@penumbra/observability';
import { type RedisClient } from '@penumbra/redis';
import { CREDENTIALS, EXPERIMENTS, KafkaBatchContext, PRODUCER, REDIS, SERVICE_ENV, TOPICS } from '@penumbra/service-kit';
import { type Registry } from 'prom-client';

export type ComparatorEnv = ServiceEnv<'comparator'>;

/** Compares each pair against its experiment's rules and publishes the diff event before the pair is committed. */
@Controller()
export class PairsHandler {
  private readonly compare: BatchHandler<Pair>;

  constructor(
    @Inject(SERVICE_ENV) env: ComparatorEnv,
    @Inject(TOPICS) topics: Record<TopicKey, string>,
    @Inject(EXPERIMENTS) experiments: TopicTable<ExperimentRecord>,
    @Inject(REDIS) redis: RedisClient,
    @Inject(PRODUCER) producer: ProducerPort,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(CREDENTIALS) credentials: CredentialPolicy,
  ) {
    this.compare = comparatorHandler({
      experiments: (id) => experiments.get(id)?.spec,
      halted: (id) => experiments.get(id)?.halted !== undefined,
      store: new RedisNoiseStore(redis),
      producer,
      diffsTopic: topics.diffs,
      keyPrefix: env.REDIS_KEY_PREFIX,
      maxBodyBytes: env.COMPARATOR_MAX_BODY_BYTES,
      maxJsonDepth: env.COMPARATOR_MAX_JSON_DEPTH,
      metrics: new ComparatorMetrics(registry),
      credentials,
      decidedPaths: cachedDecidedPaths((id) => readVerdictMarks(redis, env.REDIS_KEY_PREFIX, id)),
    });
  }

  @EventPattern('pairs', { concurrency: 2 })
  onPairs(@Payload() pairs: ConsumedRecord<Pair>[], @Ctx() kafka: KafkaBatchContext): Promise<BatchOutcome | void> {
    return this.compare(pairs, kafka.batch);
  }
}
