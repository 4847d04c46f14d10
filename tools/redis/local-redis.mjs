#!/usr/bin/env node
// Local Redis for the stack: reuses one that answers on the port, else starts redis-server.
//
//   node tools/redis/local-redis.mjs up|down|status [--quiet] [--json] [--cluster]
//
// `up --cluster` starts a three-master Redis Cluster on free ports instead (redis-cli --cluster create);
// the answer adds `clusterNodes` ("host:port,…", what REDIS_CLUSTER_NODES takes). `down` stops both.
//
// Environment: REDIS_URL (use that server; up/down do nothing), REDIS_CLUSTER_NODES (with --cluster: use
// that cluster), PENUMBRA_REDIS_PORT (default 6379), PENUMBRA_STATE_DIR (default .penumbra in the repository).
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerFile, dispatch, isBrokerList, isRedisUrl, livePid, sleep } from '../lib/local-service.mjs';
import { clusterDown, clusterNodes, clusterUp } from './redis-cluster.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const port = Number(process.env.PENUMBRA_REDIS_PORT ?? '6379');
const stateRoot = process.env.PENUMBRA_STATE_DIR ?? join(repoRoot, '.penumbra');
const stateDir = join(stateRoot, 'redis');
const pidFile = join(stateDir, 'redis.pid');
const quiet = process.argv.includes('--quiet');
const say = (msg) => quiet || process.stderr.write(`[redis] ${msg}\n`);
const cluster = process.argv.includes('--cluster');
/** What `up --cluster` adds to its answer. */
let answerExtra = {};

function ping(host, p) {
  return new Promise((res) => {
    const s = connect({ host, port: p });
    let answer = '';
    s.once('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      answer += d.toString();
      if (answer.includes('\r\n')) {
        s.destroy();
        res(answer.startsWith('+PONG') || answer.startsWith('-NOAUTH'));
      }
    });
    s.once('error', () => res(false));
    s.setTimeout(1000, () => {
      s.destroy();
      res(false);
    });
  });
}

function managedPid() {
  return livePid(pidFile);
}

async function up() {
  if (cluster) {
    const given = (process.env.REDIS_CLUSTER_NODES ?? '').replace(/\s+/g, '');
    if (given && !isBrokerList(given)) throw new Error(`REDIS_CLUSTER_NODES must be host:port items separated by commas (got ${JSON.stringify(given)})`);
    const nodes = given ? given.split(',') : await clusterUp(stateRoot, say);
    answerExtra = { clusterNodes: nodes.join(',') };
    return `redis://${nodes[0]}`;
  }
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  const url = `redis://127.0.0.1:${port}`;
  if (await ping('127.0.0.1', port)) {
    say(`${managedPid() ? 'already running' : 'using the Redis already listening'} on ${url}`);
    return url;
  }
  mkdirSync(stateDir, { recursive: true });
  const out = openSync(join(stateDir, 'redis.log'), 'a');
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', stateDir], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  const failed = new Promise((res) => child.once('error', (e) => res(e)));
  child.unref();
  for (let i = 0; i < 100; i += 1) {
    const err = await Promise.race([failed, sleep(100).then(() => undefined)]);
    if (err) throw new Error(`cannot run redis-server (${err.message}); install it: apt-get install -y redis-server`);
    if (await ping('127.0.0.1', port)) {
      writeFileSync(pidFile, String(child.pid));
      say(`started on ${url} (pid ${child.pid})`);
      return url;
    }
  }
  throw new Error(`redis-server did not answer on ${url}; see ${join(stateDir, 'redis.log')}`);
}

async function down() {
  await clusterDown(stateRoot, say);
  const pid = managedPid();
  if (!pid) return say('not managed here: nothing to stop');
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && managedPid(); i += 1) await sleep(100);
  rmSync(pidFile, { force: true });
  say('stopped');
}

async function status() {
  const url = process.env.REDIS_URL ?? `redis://127.0.0.1:${port}`;
  const { hostname, port: p } = new URL(url);
  const reachable = await ping(hostname, Number(p || 6379));
  const nodes = clusterNodes(stateRoot);
  process.stdout.write(JSON.stringify({ url, managed: managedPid() !== undefined, reachable, ...(nodes ? { clusterNodes: nodes.join(',') } : {}) }) + '\n');
  return reachable;
}

await dispatch('local-redis.mjs', { up, down, status }, (err) => `[redis] error: ${err.message}`, {
  validate: isRedisUrl,
  answerFile: answerFile(stateRoot, 'redis'),
  extra: () => answerExtra,
});
