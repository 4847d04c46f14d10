import { type CredentialEnvVars, type HttpEnvVars, type KafkaEnvVars } from '@penumbra/config';
import { hostname } from 'node:os';
import { type Registry } from 'prom-client';
import { type TopicKey, topicNames } from '@penumbra/contracts';
import { type CredentialPolicy, DEFAULT_CREDENTIAL_HEADERS, DEFAULT_SECRET_QUERY_PARAMS, credentialPolicy } from '@penumbra/credentials';
import { type KafkaClient, createKafkaClient, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { HealthRegistry, JsonLogger, type Logger, PipelineMetrics, createMetricsRegistry } from '@penumbra/observability';

export const SERVICE_CONTEXT = Symbol('SERVICE_CONTEXT');

/** What every service's environment holds, typed from the schemas in @penumbra/config. */
export type BaseServiceEnv = KafkaEnvVars & HttpEnvVars & CredentialEnvVars & { INSTANCE_ID?: string | undefined; PENUMBRA_OPERATOR_KEYS_FILE?: string | undefined };

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
  /** How credentials are hashed wherever this service writes pairs, diffs, dead letters or audit records. */
  credentials: CredentialPolicy;
  /** The consumer group for one of this service's inputs. */
  groupId(input?: string): string;
  /**
   * Something stopped for good that only a restart brings back (a consumer the client gave up
   * on): /health/live fails from now on and, when `exitOnFatal` is set, the process exits.
   */
  fatal(reason: string): void;
  /** Set by the service's main: exit on a fatal failure instead of only failing liveness. */
  exitOnFatal: boolean;
}

/** The exit code of a service that stopped because part of it died. */
export const FATAL_EXIT_CODE = 70;

export function createServiceContext<E extends BaseServiceEnv>(name: string, env: E): ServiceContext<E> {
  const instanceId = env.INSTANCE_ID ?? `${hostname()}-${process.pid}`;
  const nestLogger = new JsonLogger({ service: name, instance: instanceId }, env.LOG_LEVEL);
  const registry = createMetricsRegistry(name);
  const health = new HealthRegistry();
  let fatal: string | undefined;
  health.registerLiveness('process', () => (fatal ? { ok: false, detail: fatal } : { ok: true }));
  const ctx: ServiceContext<E> = {
    name,
    instanceId,
    env,
    logger: nestLogger,
    nestLogger,
    registry,
    metrics: new PipelineMetrics(registry),
    health,
    kafka: createKafkaClient(kafkaConnectionFromEnv(env, `penumbra-${name}`), nestLogger.child({ component: 'kafka' })),
    topics: topicNames(env.TOPIC_PREFIX),
    credentials: credentialPolicyOf(env),
    groupId: (input) => `${env.KAFKA_GROUP_PREFIX}${name}${input ? `-${input}` : ''}`,
    exitOnFatal: false,
    fatal(reason) {
      if (fatal) return;
      fatal = reason.slice(0, 1000);
      nestLogger.error('fatal: the service cannot recover by itself and must be restarted', { reason: fatal, exiting: ctx.exitOnFatal });
      // A moment for the log line and a last /health/live answer before the supervisor restarts us.
      if (ctx.exitOnFatal) setTimeout(() => process.exit(FATAL_EXIT_CODE), 500).unref();
    },
  };
  return ctx;
}

/** The defaults plus what the environment adds; the environment can widen the lists, never narrow them. */
export function credentialPolicyOf(env: CredentialEnvVars): CredentialPolicy {
  return credentialPolicy({
    headers: [...DEFAULT_CREDENTIAL_HEADERS, ...(env.PENUMBRA_CREDENTIAL_HEADERS ?? [])],
    queryParams: [...DEFAULT_SECRET_QUERY_PARAMS, ...(env.PENUMBRA_CREDENTIAL_QUERY_PARAMS ?? [])],
    ...(env.PENUMBRA_CREDENTIAL_HASH_KEY === undefined ? {} : { hashKey: env.PENUMBRA_CREDENTIAL_HASH_KEY }),
  });
}
