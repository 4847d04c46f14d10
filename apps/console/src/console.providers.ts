import { type Provider } from '@nestjs/common';
import { type ServiceEnv } from '@penumbra/config';
import { ConsoleService, loadOperatorSigner, loadUsers } from '@penumbra/console';
import { type ExperimentRecord, type TopicKey } from '@penumbra/contracts';
import { type ProducerPort, type TopicTable, createTransactionalKafka, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { type RedisClient } from '@penumbra/redis';
import { EXPERIMENTS, LOGGER, PRODUCER, REDIS, SERVICE_ENV, SERVICE_IDENTITY, type ServiceIdentity, TOPICS } from '@penumbra/service-kit';

export type ConsoleEnv = ServiceEnv<'console'>;

/** The console: the users file and operator key read once at start, over the service's Redis, experiments table and producer. */
export const consoleProvider: Provider = {
  provide: ConsoleService,
  inject: [SERVICE_ENV, REDIS, EXPERIMENTS, PRODUCER, TOPICS, LOGGER, SERVICE_IDENTITY],
  useFactory: (
    env: ConsoleEnv,
    redis: RedisClient,
    table: TopicTable<ExperimentRecord>,
    producer: ProducerPort,
    topics: Record<TopicKey, string>,
    logger: Logger,
    identity: ServiceIdentity,
  ): ConsoleService =>
    new ConsoleService({
      users: loadUsers(env.CONSOLE_USERS_FILE),
      signer: env.PENUMBRA_OPERATOR_KEY_FILE === undefined ? undefined : loadOperatorSigner(env.PENUMBRA_OPERATOR_KEY_FILE),
      sources: {
        redis,
        windows: { prefix: env.REDIS_KEY_PREFIX, windowMs: env.AGGREGATOR_WINDOW_MS },
        keyPrefix: env.REDIS_KEY_PREFIX,
        log: createTransactionalKafka(kafkaConnectionFromEnv(env, `penumbra-${identity.name}`), logger.child({ component: 'kafka' })),
        topics,
        experiments: () => table.values(),
        experiment: (id) => table.get(id),
      },
      producer,
      logger,
      maxStreams: env.CONSOLE_MAX_STREAMS,
      pushIntervalMs: env.CONSOLE_PUSH_INTERVAL_MS,
    }),
};
