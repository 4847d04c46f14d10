// A local three-master Redis Cluster (no replicas) on free loopback ports, for `local-redis.mjs up --cluster`.
// Each node's pid and port are kept in <state>/redis-cluster/nodes.json, so a second `up` reuses them.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { sleep } from '../lib/local-service.mjs';

const MASTERS = 3;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function cli(port, ...args) {
  return spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', timeout: 10_000 });
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const clusterOk = (port) => (cli(port, 'CLUSTER', 'INFO').stdout ?? '').includes('cluster_state:ok');

function readNodes(file) {
  try {
    const nodes = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(nodes) ? nodes.filter((n) => Number.isInteger(n?.pid) && Number.isInteger(n?.port)) : [];
  } catch {
    return [];
  }
}

/** Starts the cluster, or reuses the running one; returns its nodes as host:port items. */
export async function clusterUp(stateRoot, say) {
  const dir = join(stateRoot, 'redis-cluster');
  const file = join(dir, 'nodes.json');
  const running = readNodes(file);
  if (running.length === MASTERS && running.every((n) => alive(n.pid)) && clusterOk(running[0].port)) {
    say(`cluster already running on ${running.map((n) => n.port).join(', ')}`);
    return running.map((n) => `127.0.0.1:${n.port}`);
  }
  await clusterDown(stateRoot, () => undefined);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const nodes = [];
  for (let i = 0; i < MASTERS; i += 1) {
    const port = await freePort();
    const out = openSync(join(dir, `redis-${port}.log`), 'a');
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`],
      { detached: true, stdio: ['ignore', out, out] },
    );
    const failed = new Promise((res) => child.once('error', (e) => res(e)));
    child.unref();
    nodes.push({ pid: child.pid, port });
    writeFileSync(file, JSON.stringify(nodes));
    for (let tries = 0; ; tries += 1) {
      const err = await Promise.race([failed, sleep(100).then(() => undefined)]);
      if (err) throw new Error(`cannot run redis-server (${err.message}); install it: apt-get install -y redis-server`);
      if ((cli(port, 'PING').stdout ?? '').trim() === 'PONG') break;
      if (tries > 100) throw new Error(`redis-server did not answer on ${port}; see ${join(dir, `redis-${port}.log`)}`);
    }
  }
  const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
  const created = spawnSync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 60_000 });
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
  for (let tries = 0; !nodes.every((n) => clusterOk(n.port)); tries += 1) {
    if (tries > 300) throw new Error('the cluster did not reach cluster_state:ok within 30 s');
    await sleep(100);
  }
  say(`cluster of ${MASTERS} masters started on ${addresses.join(',')}`);
  return addresses;
}

/** Stops the nodes this project started; returns whether any ran. */
export async function clusterDown(stateRoot, say) {
  const file = join(stateRoot, 'redis-cluster', 'nodes.json');
  const nodes = readNodes(file).filter((n) => alive(n.pid));
  for (const n of nodes) process.kill(n.pid, 'SIGTERM');
  for (let i = 0; i < 50 && nodes.some((n) => alive(n.pid)); i += 1) await sleep(100);
  if (existsSync(file)) rmSync(file, { force: true });
  if (nodes.length > 0) say('cluster stopped');
  return nodes.length > 0;
}

/** The running cluster's nodes, or undefined. */
export function clusterNodes(stateRoot) {
  const nodes = readNodes(join(stateRoot, 'redis-cluster', 'nodes.json'));
  return nodes.length === MASTERS && nodes.every((n) => alive(n.pid)) ? nodes.map((n) => `127.0.0.1:${n.port}`) : undefined;
}
