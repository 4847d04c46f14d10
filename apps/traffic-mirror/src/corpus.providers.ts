import { type Provider } from '@nestjs/common';
import { type TopicKey } from '@penumbra/contracts';
import { CorpusWriter } from '@penumbra/corpus';
import { type CredentialPolicy } from '@penumbra/credentials';
import { type KafkaClient, createTransactionalKafka, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { CREDENTIALS, KAFKA_CLIENT, LOGGER, SERVICE_ENV, TOPICS } from '@penumbra/service-kit';
import { MIRROR_RUNTIME, type MirrorEnv, type MirrorRuntime } from './mirror.providers';

export const CORPUS_WRITER = Symbol('CORPUS_WRITER');

/** Saves the requests of regressions to the corpus, through the mirror's producer. */
export const corpusWriterProvider: Provider = {
  provide: CORPUS_WRITER,
  inject: [MIRROR_RUNTIME, SERVICE_ENV, KAFKA_CLIENT, TOPICS, CREDENTIALS, LOGGER],
  useFactory: (runtime: MirrorRuntime, env: MirrorEnv, client: KafkaClient, topics: Record<TopicKey, string>, credentials: CredentialPolicy, logger: Logger) =>
    new CorpusWriter({
      experiments: runtime.experiments,
      kafka: createTransactionalKafka(kafkaConnectionFromEnv(env, 'penumbra-traffic-mirror-corpus'), logger.child({ component: 'corpus' })),
      admin: () => client.admin(),
      producer: runtime.producer,
      topics: { traffic: topics.traffic, aggregates: topics.aggregates, corpus: topics.corpus },
      credentials,
      logger: logger.child({ component: 'corpus' }),
    }),
};
