import { type HttpEnvVars, type KafkaEnvVars } from '@penumbra/config';
import { hostname } from 'node:os';
import { type Registry } from 'prom-client';
import { type TopicKey, topicNames } from '@penumbra/contracts';
import { type KafkaClient, type KafkaEnv, createKafkaClient, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { HealthRegistry, JsonLogger, type LogLevel, type Logger, PipelineMetrics, createMetricsRegistry } from '@penumbra/observability';

export const SERVICE_CONTEXT = Symbol('SERVICE_CONTEXT');

/** What every service's environment holds, typed from the schemas in @penumbra/config. */
export type BaseServiceEnv = KafkaEnvVars & HttpEnvVars & { INSTANCE_ID?: string | undefined };

/** What every service is made of: its parsed environment, logger, metrics, health and Kafka client. */
export interface ServiceContext<E extends BaseServiceEnv = BaseServiceEnv> {
  name: string;
  instanceId: string;
  env: E;
  logger: Logger;
  nestLogger: JsonLogger;
  registry: Registry;
  metrics: PipelineMetrics;
  health: HealthRegistry;
  kafka: KafkaClient;
  topics: Record<TopicKey, string>;
  /** The consumer group for one of this service's inputs. */
  groupId(input?: string): string;
}

export function createServiceContext<E extends BaseServiceEnv>(name: string, env: E): ServiceContext<E> {
  const instanceId = env.INSTANCE_ID ?? `${hostname()}-${process.pid}`;
  const nestLogger = new JsonLogger({ service: name, instance: instanceId }, env.LOG_LEVEL);
  const registry = createMetricsRegistry(name);
  return {
    name,
    instanceId,
    env,
    logger: nestLogger,
    nestLogger,
    registry,
    metrics: new PipelineMetrics(registry),
    health: new HealthRegistry(),
    kafka: createKafkaClient(kafkaConnectionFromEnv(env, `penumbra-${name}`), nestLogger.child({ component: 'kafka' })),
    topics: topicNames(env.TOPIC_PREFIX),
    groupId: (input) => `${env.KAFKA_GROUP_PREFIX}${name}${input ? `-${input}` : ''}`,
  };
}
