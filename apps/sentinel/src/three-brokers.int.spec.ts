import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Cluster, type Redis } from 'ioredis';
import { aggregatesMarkerKey, readAggregate } from '@penumbra/aggregates';
import { findWorkspaceRoot, parseStackAnswer } from '@penumbra/config';
import { type Command, type ExperimentSpecInput, commandSchema, diffEventSchema } from '@penumbra/contracts';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, publishExperiments, spawnTs, waitForGroupCaughtUp } from '@penumbra/kafka-testing';
import { type TestRedis, startRedisServer, testCommandKeys, waitFor } from '@penumbra/testing';

const run = promisify(execFile);
jest.setTimeout(400_000);

const commandKeys = testCommandKeys();
const script = join(findWorkspaceRoot(__dirname), 'tools', 'kafka', 'local-kafka.mjs');
/** Three brokers (about 1.5 GB of heap) only when asked for: PENUMBRA_TEST_KAFKA_CLUSTER=1. */
const wanted = ['1', 'true', 'yes'].includes((process.env['PENUMBRA_TEST_KAFKA_CLUSTER'] ?? '').toLowerCase());

const experiment = (id: string): ExperimentSpecInput => ({
  id,
  target: { service: 'orders' },
  shadow: { candidate: { baseUrl: 'http://candidate:8080' } },
  policy: {
    stages: [
      { name: 'shadow', mode: 'live', weight: 0, minDurationSec: 1, minSamples: 300, gates: ['matchRate >= 0.9'] },
      { name: 'canary', mode: 'live', weight: 20, minDurationSec: 1, minSamples: 300, gates: ['matchRate >= 0.9'] },
    ],
    watchAfterFinalSec: 0,
    cooldownSec: 3600,
  },
});

(wanted ? describe : describe.skip)('the fleet on a three-broker Kafka cluster', () => {
  let kafka: TestKafka;
  let server: TestRedis;
  let redis: Redis | Cluster;
  let logs = '';
  const children: Array<ReturnType<typeof spawnTs>> = [];

  beforeAll(async () => {
    const { stdout } = await run(process.execPath, [script, 'up', '--brokers', '3', '--quiet', '--json'], { timeout: 300_000 });
    process.env['KAFKA_BROKERS'] = parseStackAnswer('kafka', stdout);
    kafka = await createTestKafka('three-brokers');
    await kafka.provision({ diffs: { partitions: 3 } });
    server = await startRedisServer({ clusterable: true });
    redis = server.connect();
    const env = {
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      ...server.env,
      REDIS_KEY_PREFIX: kafka.ns.keyPrefix,
      AGGREGATOR_WINDOW_MS: '1000',
      LOG_LEVEL: 'warn',
    };
    const mains = { aggregator: join(__dirname, '..', '..', 'aggregator', 'src', 'main.ts'), sentinel: join(__dirname, 'main.ts') };
    for (const [name, main] of Object.entries(mains)) {
      const child = spawnTs(main, { ...env, ...(name === 'sentinel' ? { SENTINEL_EVALUATE_INTERVAL_MS: '200', ...commandKeys.env } : {}), HTTP_PORT: '0' });
      const keep = (d: Buffer) => (logs = `${logs}[${name}] ${d.toString()}`.slice(-6000));
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      children.push(child);
    }
  });

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    redis?.disconnect();
    await server?.stop();
    await kafka?.close();
    delete process.env['KAFKA_BROKERS'];
    await run(process.execPath, [script, 'down', '--brokers', '3', '--quiet'], { timeout: 120_000 });
  });

  let produced = 0;
  const produce = async (n: number) => {
    const events = Array.from({ length: n }, () => {
      produced += 1;
      return diffEventSchema.parse({
        type: 'diff.v1',
        id: `sturdy:t${produced}`,
        ts: Date.now(),
        experimentId: 'sturdy',
        endpoint: 'GET /orders/:id',
        slice: {},
        outcome: 'match',
        statusMatch: true,
        status: { primary: 200, candidate: 200 },
        differences: [],
        latencyMs: { primary: 10, candidate: 11 },
        errors: {},
      });
    });
    await kafka.send(events.map((e) => encodeEvent(diffEventSchema, e, kafka.topics.diffs, e.id)));
  };
  const commands = async (): Promise<Command[]> => {
    const count = (await kafka.admin.topicOffsets(kafka.topics.commands)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    return (await kafka.readAll(kafka.topics.commands, count, 60_000)).map((r) => commandSchema.parse(JSON.parse(r.value?.toString() ?? 'null')));
  };

  it('loses nothing, counts nothing twice and promotes as expected when a broker is killed mid-experiment', async () => {
    const [described] = await kafka.admin.describeTopics([kafka.topics.diffs]);
    expect(described?.configs['min.insync.replicas']).toBe('2');

    await publishExperiments(kafka, [experiment('sturdy')]);
    await produce(150);
    const status = JSON.parse((await run(process.execPath, [script, 'status', '--brokers', '3'])).stdout) as { cluster: Array<{ node: number; pid: number }> };
    const victim = status.cluster.find((n) => n.node === 2);
    expect(victim).toBeDefined();
    process.kill(victim!.pid, 'SIGKILL');

    let all: Command[] = [];
    await waitFor(
      async () => {
        await produce(50);
        all = (await commands()).filter((c) => c.experimentId === 'sturdy');
        return all.some((c) => c.toStage === 'promoted');
      },
      { timeoutMs: 240_000, intervalMs: 300, what: () => `the promotion of sturdy with a broker down (commands: ${all.map((c) => c.id).join(', ')}; logs: ${logs})` },
    );
    const unique = [...new Map(all.map((c) => [c.id, c])).values()];
    expect(unique.map((c) => [c.action, c.fromStage, c.toStage])).toEqual([
      ['promote', 'shadow', 'canary'],
      ['promote', 'canary', 'promoted'],
    ]);

    const group = async () => (await redis.get(aggregatesMarkerKey(kafka.ns.keyPrefix))) ?? 'no-marker-yet';
    await waitForGroupCaughtUp(kafka.admin, group, [kafka.topics.diffs], 120_000);
    // A send that failed while the partitions moved may have written part of its batch, and a retried
    // send may have written a record twice: what counts is every distinct event on the topic, once.
    const onTopic = (await kafka.admin.topicOffsets(kafka.topics.diffs)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    const ids = new Set((await kafka.readAll(kafka.topics.diffs, onTopic, 120_000)).map((r) => r.key?.toString()));
    expect(ids.size).toBeGreaterThan(300);
    const totals = await readAggregate(redis, { prefix: kafka.ns.keyPrefix, windowMs: 1000 }, 'sturdy');
    expect(totals.counts).toMatchObject({ pairs: ids.size, match: ids.size });
  });
});
