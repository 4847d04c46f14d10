import { join } from 'node:path';
import { type TestKafka, createTestKafka, spawnTs } from '@penumbra/kafka-testing';
import { freePort, waitFor } from '@penumbra/testing';

jest.setTimeout(120_000);

const main = join(__dirname, 'main.ts');

describe('traffic-mirror process', () => {
  let kafka: TestKafka;

  beforeAll(async () => {
    kafka = await createTestKafka('mirror-e2e');
    await kafka.provision();
  });

  afterAll(async () => {
    await kafka.close();
  });

  it('refuses to start on a bad variable, naming it and what it expects', async () => {
    const child = spawnTs(main, { KAFKA_BROKERS: 'nohostport', MIRROR_MAX_SOCKETS_PER_TARGET: 'many' });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(stderr).toMatch(/KAFKA_BROKERS: expected a comma-separated list of host:port.*bad item\(s\): nohostport/);
    expect(stderr).toMatch(/MIRROR_MAX_SOCKETS_PER_TARGET: expected a whole number from 1 to 10000 \(got "many"\)/);
  });

  it('starts, reports ready with its consumers on /health, serves /metrics, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawnTs(main, {
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
      MIRROR_ALLOWED_TARGETS: '127.0.0.1/32',
      HTTP_PORT: String(port),
      LOG_LEVEL: 'info',
    });
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<string>((r) => child.on('exit', (c, signal) => r(signal ?? String(c))));
    try {
      const health = await waitFor(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/health`);
          return res.status === 200 ? ((await res.json()) as { checks: Record<string, unknown> }) : undefined;
        },
        { timeoutMs: 60_000, what: () => `the mirror to report ready (log: ${stdout.slice(-500)})` },
      );
      expect(Object.keys(health.checks).sort()).toEqual(['corpus-consumer', 'experiments', 'traffic-consumer']);
      expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/penumbra_mirror_records_seen_total\{service="traffic-mirror"\} 0/);
      const firstLine = JSON.parse(stdout.split('\n').find((l) => l.includes('"service started"')) ?? '{}') as Record<string, unknown>;
      expect(firstLine).toMatchObject({ level: 'info', service: 'traffic-mirror', msg: 'service started' });
    } finally {
      child.kill('SIGTERM');
    }
    // Nest re-raises the signal once its shutdown hooks have run.
    expect(['0', 'SIGTERM']).toContain(await exited);
    expect(stdout).toMatch(/"msg":"service stopped: work in hand finished and committed"/);
  });
});
