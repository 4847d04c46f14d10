import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { waitFor } from './wait';

const run = promisify(execFile);
const MASTERS = 3;

export interface TestRedisCluster {
  /** host:port of every master, as REDIS_CLUSTER_NODES takes them. */
  nodes: string[];
  /** FLUSHALL on every master. */
  flushAll(): Promise<void>;
  stop(): Promise<void>;
}

/** Tests run against a private three-master Redis Cluster instead of one redis-server when this is set. */
export function testRedisClusterWanted(): boolean {
  return ['1', 'true', 'yes'].includes((process.env['PENUMBRA_TEST_REDIS_CLUSTER'] ?? '').toLowerCase());
}

async function clusterOk(port: number): Promise<boolean> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return String(await client.cluster('INFO')).includes('cluster_state:ok');
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * A private three-master Redis Cluster on free ports (no replicas), created with
 * `redis-cli --cluster create`, for the integration tests run with PENUMBRA_TEST_REDIS_CLUSTER=1.
 */
export async function startRedisCluster(freePort: () => Promise<number>): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'penumbra-redis-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < MASTERS; i += 1) {
      const port = await freePort();
      ports.push(port);
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'];
      const child = spawn('redis-server', [...args, '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`], { stdio: 'ignore' });
      child.on('error', () => undefined);
      children.push(child);
    }
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    for (const port of ports) await waitFor(() => pingPort(port), { timeoutMs: 10_000, intervalMs: 50, what: `cluster node redis-server on ${port}` });
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    for (const port of ports) await waitFor(() => clusterOk(port), { timeoutMs: 30_000, intervalMs: 100, what: `cluster_state:ok on ${port}` });
    return {
      nodes,
      flushAll: async () => {
        for (const port of ports) await run('redis-cli', ['-p', String(port), 'FLUSHALL']);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function pingPort(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'PING'], { timeout: 2_000 });
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}
