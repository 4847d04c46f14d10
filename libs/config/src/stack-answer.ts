import { ConfigError } from '@penumbra/errors';
import { z } from 'zod';
import { kafkaEnvShape, redisEnvShape } from './infrastructure';

const answerSchema = z.object({ address: z.string().max(4096) });

/**
 * The address a local stack script (`tools/kafka`, `tools/redis`, run with `up --json`) answered,
 * checked exactly as the services will parse it: a child process's output is never trusted as is.
 */
export function parseStackAnswer(component: 'kafka' | 'redis', stdout: string): string {
  const last = stdout.trim().split('\n').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new ConfigError(`the local ${component} script did not answer with JSON on its last line (got ${JSON.stringify(last.slice(0, 200))})`, { component });
  }
  const answer = answerSchema.safeParse(parsed);
  if (!answer.success) throw new ConfigError(`the local ${component} script answered without an address`, { component });
  const address = answer.data.address;
  const check = component === 'kafka' ? kafkaEnvShape.KAFKA_BROKERS.safeParse(address) : redisEnvShape.REDIS_URL.safeParse(address);
  if (!check.success || /[\s\p{Cc}]/u.test(address)) {
    throw new ConfigError(`the local ${component} script answered a malformed address ${JSON.stringify(address)}`, { component, address });
  }
  return address;
}

const clusterAnswerSchema = z.object({ clusterNodes: z.string().max(4096) });

/** The seed nodes `local-redis.mjs up --cluster --json` answered, checked as REDIS_CLUSTER_NODES is parsed. */
export function parseRedisClusterStackAnswer(stdout: string): string {
  const last = stdout.trim().split('\n').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new ConfigError('the local redis script did not answer with JSON on its last line', { component: 'redis' });
  }
  const answer = clusterAnswerSchema.safeParse(parsed);
  const check = answer.success ? redisEnvShape.REDIS_CLUSTER_NODES.safeParse(answer.data.clusterNodes) : undefined;
  if (!answer.success || !check?.success || check.data === undefined)
    throw new ConfigError('the local redis script answered without valid cluster nodes; was it started with --cluster?', { component: 'redis' });
  return check.data.join(',');
}

const secureAnswerSchema = z.object({ sasl: z.object({ mechanism: z.enum(['scram-sha-256', 'scram-sha-512']), credentialsFile: z.string().min(1).max(4096) }) });

/** The SASL part of `local-kafka.mjs up --secure --json`'s answer: the mechanism and where the passwords were written. */
export function parseSecureStackAnswer(stdout: string): z.infer<typeof secureAnswerSchema>['sasl'] {
  const last = stdout.trim().split('\n').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new ConfigError('the local kafka script did not answer with JSON on its last line', { component: 'kafka' });
  }
  const answer = secureAnswerSchema.safeParse(parsed);
  if (!answer.success) throw new ConfigError('the local kafka script answered without SASL settings; was it started with --secure?', { component: 'kafka' });
  return answer.data.sasl;
}

/** The passwords file of the local secure broker: the super user's and one per principal of the ACL table. */
export const localKafkaCredentialsSchema = z.object({
  mechanism: z.enum(['scram-sha-256', 'scram-sha-512']),
  brokers: z.string(),
  admin: z.object({ username: z.string().min(1), password: z.string().min(1) }),
  users: z.record(z.string(), z.string().min(1)),
});
export type LocalKafkaCredentials = z.infer<typeof localKafkaCredentialsSchema>;
