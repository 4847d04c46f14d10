import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { findWorkspaceRoot } from '@penumbra/config';
import { freePort } from './redis-server';

const run = promisify(execFile);
const script = join(findWorkspaceRoot(__dirname), 'tools', 'kafka', 'local-kafka.mjs');

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose successor (the controller's) is free too. */
async function twoFreePorts(): Promise<number> {
  for (let i = 0; i < 50; i += 1) {
    const port = await freePort();
    if (port < 65_000 && (await canListen(port + 1))) return port;
  }
  throw new Error('no two consecutive free ports');
}

// The first run a newcomer makes: nothing cached, Maven fetches Kafka, the broker starts for the first time.
describe('the local Kafka script on a cold cache', () => {
  const cache = mkdtempSync(join(tmpdir(), 'penumbra-cold-cache-'));
  const state = mkdtempSync(join(tmpdir(), 'penumbra-cold-state-'));
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const port = await twoFreePorts();
    env = { ...process.env, PENUMBRA_CACHE_DIR: cache, PENUMBRA_STATE_DIR: state, PENUMBRA_KAFKA_PORT: String(port), KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m' };
    delete env['KAFKA_BROKERS'];
  });

  afterAll(async () => {
    await run(process.execPath, [script, 'down', '--quiet'], { env }).catch(() => undefined);
    rmSync(cache, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  });

  it('answers exactly host:port on stdout and in its state file, and the broker serves it', async () => {
    expect(readdirSync(cache)).toEqual([]);
    const port = env['PENUMBRA_KAFKA_PORT'];
    const { stdout } = await run(process.execPath, [script, 'up', '--json'], { env, timeout: 300_000 });
    expect(stdout).toBe(`{"address":"127.0.0.1:${port}"}\n`);
    const recorded = JSON.parse(readFileSync(join(state, 'kafka', 'address.json'), 'utf8')) as { address: string };
    expect(recorded.address).toBe(`127.0.0.1:${port}`);
    expect(existsSync(join(cache, 'kafka'))).toBe(true);

    const admin = new Kafka({ clientId: 'cold-start-test', brokers: [recorded.address], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toEqual([`127.0.0.1:${port}`]);
    } finally {
      await admin.disconnect();
    }

    const plain = await run(process.execPath, [script, 'up'], { env, timeout: 60_000 });
    expect(plain.stdout).toBe(`127.0.0.1:${port}\n`);
  }, 300_000);
});
