import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPIC_KEYS, topicName } from '@penumbra/contracts';
import { createKafkaClient } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { type TestRedis, ensureKafka, freePort, startRedisServer, testNamespace } from '@penumbra/testing';

jest.setTimeout(300_000);

const bin = join(__dirname, '..', 'bin', 'penumbra.cjs');
const root = join(__dirname, '..', '..', '..');

describe('operating an experiment with the penumbra command and a running fleet', () => {
  const ns = testNamespace('operate');
  const dir = mkdtempSync(join(tmpdir(), 'penumbra-operate-'));
  let brokers: string[];
  let redis: TestRedis;
  let env: NodeJS.ProcessEnv;

  const run = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, [bin, ...args], { env, cwd: root, timeout: 240_000 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }));
    });

  beforeAll(async () => {
    brokers = await ensureKafka();
    redis = await startRedisServer();
    env = {
      ...process.env,
      KAFKA_BROKERS: brokers.join(','),
      TOPIC_PREFIX: ns.topicPrefix,
      KAFKA_GROUP_PREFIX: `${ns.id}.`,
      MIRROR_ALLOWED_TARGETS: '127.0.0.1/32',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: ns.keyPrefix,
      PENUMBRA_FLEET_DIR: join(dir, 'fleet'),
      PENUMBRA_FLEET_PORT_BASE: String(await freePort()),
      PENUMBRA_ACTOR: 'ana',
      LOG_LEVEL: 'warn',
    };
    expect((await run('topics', 'provision')).code).toBe(0);
  });

  afterAll(async () => {
    await run('fleet', 'stop');
    await redis.stop();
    const admin = await createKafkaClient({ clientId: 'operate-cleanup', brokers, connectionTimeoutMs: 10_000, ssl: false, sasl: null }, silentLogger).admin();
    try {
      await admin.deleteTopics(TOPIC_KEYS.map((k) => topicName(ns.topicPrefix, k))).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
  });

  it('starts the fleet, applies an experiment, kills it with a signed request, and shows it in status, audit and report', async () => {
    const started = await run('fleet', 'start');
    expect(started).toMatchObject({ code: 0, stdout: expect.stringMatching(/the fleet is up: traffic-mirror :\d+/) });
    const status = await run('fleet', 'status', '--json');
    expect(JSON.parse(status.stdout).services.map((s: { ready: boolean }) => s.ready)).toEqual([true, true, true, true, true, true]);

    const file = join(dir, 'exp.yaml');
    writeFileSync(file, readFileSync(join(root, 'examples', 'experiments', 'checkout.yaml'), 'utf8').replace('id: checkout-v2', 'id: operate-me'));
    const unsignedApply = await run('experiment', 'apply', '-f', file);
    expect(unsignedApply.code).toBe(1);
    expect(unsignedApply.stderr).toMatch(/set PENUMBRA_OPERATOR_KEY_FILE/);

    const signed = { ...env, PENUMBRA_OPERATOR_KEY_FILE: join(dir, 'fleet', 'operator-key.json'), PENUMBRA_OPERATOR_KEYS_FILE: join(dir, 'fleet', 'operator-keys.json') };
    env = signed;
    expect((await run('experiment', 'apply', '-f', file)).stdout).toMatch(/applied operate-me as ana/);
    expect(JSON.parse((await run('experiment', 'list', '--json')).stdout).map((r: { experimentId: string; verifiedAs: string }) => [r.experimentId, r.verifiedAs])).toEqual([
      ['operate-me', 'ana'],
    ]);
    expect(JSON.parse((await run('experiment', 'get', 'operate-me')).stdout)).toMatchObject({
      experimentId: 'operate-me',
      actor: 'ana',
      spec: { policy: { stages: [{ name: 'shadow' }, { name: 'canary' }, { name: 'full' }] } },
    });

    env = { ...signed, PENUMBRA_OPERATOR_KEY_FILE: undefined };
    const unsigned = await run('kill', 'operate-me', '--reason', 'no key');
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toMatch(/set PENUMBRA_OPERATOR_KEY_FILE/);

    env = signed;
    const kill = await run('kill', 'operate-me', '--reason', 'incident 7');
    expect(kill).toMatchObject({ code: 0, stdout: expect.stringMatching(/accepted/) });
    expect((await run('status', 'operate-me')).stdout).toMatch(/HALTED .*kill by ana: incident 7[\s\S]*operate-me: killed/);
    const again = await run('kill', 'operate-me', '--reason', 'twice');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/rejected: operate-me is halted \(kill by ana: incident 7\); apply it again to start over/);

    const audit = await run('audit', 'operate-me');
    expect(audit.stdout).toMatch(/requested kill \(signed ed25519 by key local-operator\): incident 7/);
    expect(audit.stdout).toMatch(/kill_switch\.activated by ana/);
    expect((await run('audit', 'verify', 'operate-me')).code).toBe(0);

    const report = join(dir, 'report.html');
    expect((await run('report', 'operate-me', '--format', 'html', '-o', report)).stdout).toMatch(/wrote .*report\.html \(killed, 0 pairs\)/);
    expect(readFileSync(report, 'utf8')).toMatch(/KILLED[\s\S]*kill by ana: incident 7/);

    expect((await run('experiment', 'delete', 'operate-me')).stdout).toMatch(/deleted operate-me as ana/);
    expect(JSON.parse((await run('experiment', 'list', '--json')).stdout)).toEqual([]);
    expect((await run('fleet', 'stop')).stdout).toMatch(/the fleet is stopped/);
  });
});
