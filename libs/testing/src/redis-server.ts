import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import Redis, { Cluster } from 'ioredis';
import { startRedisCluster, testRedisClusterWanted } from './redis-cluster';
import { waitFor } from './wait';

export interface TestRedis {
  url: string;
  /** True when this process started the server (so it may be stopped, flushed or killed). */
  private: boolean;
  /** What a service's environment needs to reach it: REDIS_URL, and REDIS_CLUSTER_NODES for a cluster. */
  env: { REDIS_URL: string; REDIS_CLUSTER_NODES?: string };
  /** A new client of it (a Cluster client for a cluster); the caller disconnects it. */
  connect(): Redis | Cluster;
  /** FLUSHALL on every node; only for a private server. */
  flushAll(): Promise<void>;
  stop(): Promise<void>;
}

function singleServer(url: string, isPrivate: boolean, stop: () => Promise<void>): TestRedis {
  return {
    url,
    private: isPrivate,
    env: { REDIS_URL: url },
    connect: () => new Redis(url),
    flushAll: async () => {
      if (!isPrivate) throw new Error('refusing to flush a shared Redis');
      const client = new Redis(url);
      try {
        await client.flushall();
      } finally {
        client.disconnect();
      }
    },
    stop,
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when a Redis server answers PING at `url`; never throws, never retries. */
export async function pingRedis(url: string, connectTimeoutMs = 500): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: connectTimeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function spawnRedis(port: number): ChildProcess {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.on('error', () => undefined);
  return child;
}

/**
 * A private redis-server on a free port, for tests that stop, wipe or kill Redis. With
 * `allowShared` and REDIS_URL set, that server is used instead (never flush it). With `clusterable`
 * and PENUMBRA_TEST_REDIS_CLUSTER=1, a private three-master Redis Cluster is started instead.
 */
export async function startRedisServer(options: { allowShared?: boolean; clusterable?: boolean } = {}): Promise<TestRedis> {
  if (options.clusterable && testRedisClusterWanted()) {
    const cluster = await startRedisCluster(freePort);
    const seeds = cluster.nodes.map((n) => {
      const [host, port] = n.split(':');
      return { host: host ?? '127.0.0.1', port: Number(port) };
    });
    return {
      url: `redis://${cluster.nodes[0]}`,
      private: true,
      env: { REDIS_URL: `redis://${cluster.nodes[0]}`, REDIS_CLUSTER_NODES: cluster.nodes.join(',') },
      connect: () => new Cluster(seeds),
      flushAll: cluster.flushAll,
      stop: cluster.stop,
    };
  }
  if (options.allowShared && process.env['REDIS_URL']) return singleServer(process.env['REDIS_URL'], false, async () => undefined);
  if (process.env['TESTCONTAINERS'] === '1') return startRedisContainer();
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const port = await freePort();
    const child = spawnRedis(port);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const spawnError = new Promise<string>((resolve) => child.once('error', (e) => resolve(e.message)));
    const url = `redis://127.0.0.1:${port}`;
    const ready = await Promise.race([
      waitFor(() => pingRedis(url), { timeoutMs: 10_000, intervalMs: 50, what: `redis-server on ${port}` }).then(
        () => '',
        (e: Error) => e.message,
      ),
      spawnError.then((m) => `cannot run redis-server (${m}); install it: apt-get install -y redis-server`),
    ]);
    if (ready === '') {
      return singleServer(
        url,
        true,
        () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      );
    }
    child.kill('SIGKILL');
    lastError = `${ready}${stderr ? `: ${stderr.trim()}` : ''}`;
    if (lastError.includes('apt-get')) break;
  }
  throw new Error(`could not start a private redis-server: ${lastError}`);
}

async function startRedisContainer(): Promise<TestRedis> {
  const { RedisContainer } = await import('@testcontainers/redis');
  const container = await new RedisContainer('redis:7.4-alpine').start();
  return singleServer(container.getConnectionUrl(), true, async () => void (await container.stop()));
}
