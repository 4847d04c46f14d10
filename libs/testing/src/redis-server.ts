import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import Redis from 'ioredis';
import { waitFor } from './wait';

export interface TestRedis {
  url: string;
  /** True when this process started the server (so it may be stopped, flushed or killed). */
  private: boolean;
  stop(): Promise<void>;
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
 * `allowShared` and REDIS_URL set, that server is used instead (never flush it).
 */
export async function startRedisServer(options: { allowShared?: boolean } = {}): Promise<TestRedis> {
  if (options.allowShared && process.env['REDIS_URL']) return { url: process.env['REDIS_URL'], private: false, stop: async () => undefined };
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
      return {
        url,
        private: true,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
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
  return { url: container.getConnectionUrl(), private: true, stop: async () => void (await container.stop()) };
}
