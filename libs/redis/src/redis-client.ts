import { type RedisEnvVars } from '@penumbra/config';
import { readFileSync } from 'node:fs';
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import { ConfigError, UnavailableError } from '@penumbra/errors';
import { type CheckResult } from '@penumbra/observability';

/** The Redis variables of a parsed service environment, typed from their schema in @penumbra/config. */
export type RedisEnv = RedisEnvVars;

export interface RedisConnectionConfig {
  url: string;
  username?: string;
  password?: string;
  tls: false | { ca?: string; rejectUnauthorized: boolean };
  keyPrefix: string;
  connectionName: string;
  /** Seed nodes of a Redis Cluster; set, the client runs in Cluster mode and `url` is not used. */
  clusterNodes?: Array<{ host: string; port: number }>;
}

/** One Redis server or a Redis Cluster: every multi-key command and script of the project touches a single slot. */
export type RedisClient = Redis | Cluster;

export function isRedisCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

export function redisConnectionFromEnv(env: RedisEnv, connectionName: string): RedisConnectionConfig {
  let ca: string | undefined;
  if (env.REDIS_TLS_CA_FILE) {
    try {
      ca = readFileSync(env.REDIS_TLS_CA_FILE, 'utf8');
    } catch (err) {
      throw new ConfigError(`REDIS_TLS_CA_FILE: cannot read ${env.REDIS_TLS_CA_FILE} (${(err as Error).message}); point it at a readable PEM file`);
    }
  }
  const tls = env.REDIS_TLS || env.REDIS_URL.startsWith('rediss://') ? { ca, rejectUnauthorized: env.REDIS_TLS_REJECT_UNAUTHORIZED } : false;
  const config: RedisConnectionConfig = { url: env.REDIS_URL, tls, keyPrefix: env.REDIS_KEY_PREFIX, connectionName };
  if (env.REDIS_USERNAME) config.username = env.REDIS_USERNAME;
  if (env.REDIS_PASSWORD) config.password = env.REDIS_PASSWORD;
  if (env.REDIS_CLUSTER_NODES) config.clusterNodes = env.REDIS_CLUSTER_NODES.map(hostPort);
  return config;
}

function hostPort(item: string): { host: string; port: number } {
  const at = item.lastIndexOf(':');
  return { host: item.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(item.slice(at + 1)) };
}

/**
 * An ioredis client with bounded reconnect backoff and a bounded offline queue: while Redis is
 * away, commands fail fast after a few retries instead of piling up in memory.
 */
export function createRedis(config: RedisConnectionConfig): RedisClient {
  const options: RedisOptions = {
    connectionName: config.connectionName,
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    enableOfflineQueue: true,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 8), 5_000),
  };
  if (config.username) options.username = config.username;
  if (config.password) options.password = config.password;
  if (config.tls) options.tls = { ...(config.tls.ca ? { ca: config.tls.ca } : {}), rejectUnauthorized: config.tls.rejectUnauthorized };
  if (!config.clusterNodes) return new Redis(config.url, options);
  const { lazyConnect, enableOfflineQueue, maxRetriesPerRequest, retryStrategy, ...perNode } = options;
  return new Cluster(config.clusterNodes, {
    lazyConnect,
    enableOfflineQueue,
    clusterRetryStrategy: retryStrategy,
    maxRedirections: 16,
    scaleReads: 'master',
    redisOptions: { ...perNode, maxRetriesPerRequest },
  });
}

/** Readiness: Redis answers PING. */
export async function redisReadiness(client: RedisClient): Promise<CheckResult> {
  if (client.status !== 'ready') return { ok: false, detail: `redis connection is ${client.status}` };
  try {
    await client.ping();
    return { ok: true };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
}

/** Every key matching `match`, from every master of a cluster (SCAN sees one node only). Bounded by `limit`. */
export async function scanKeys(client: RedisClient, match: string, limit = 100_000): Promise<string[]> {
  const nodes = isRedisCluster(client) ? client.nodes('master') : [client];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', match, 'COUNT', 200);
      cursor = next;
      keys.push(...batch);
      if (keys.length > limit) throw new UnavailableError(`more than ${limit} keys match ${match}`, { match });
    } while (cursor !== '0');
  }
  return keys;
}
