import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { WindowStore, diffEventOps } from '@penumbra/aggregates';
import { type Alert, type Command, type ExperimentSpecInput, alertSchema, commandSchema, controlRequestSchema, diffEventSchema, experimentRecordSchema } from '@penumbra/contracts';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, publishExperiments, spawnTs } from '@penumbra/kafka-testing';
import { signControlRequest } from '@penumbra/policy-core';
import { SentinelStateStore } from '@penumbra/sentinel-state';
import { type TestRedis, startRedisServer, waitFor } from '@penumbra/testing';

jest.setTimeout(180_000);

const KEY = { keyId: 'ana-1', secret: 's'.repeat(48), operator: 'ana', roles: ['operator'] };

function experiment(id: string, over: Partial<ExperimentSpecInput> = {}): ExperimentSpecInput {
  return {
    id,
    target: { service: 'orders' },
    shadow: { candidate: { baseUrl: 'http://candidate:8080' } },
    policy: {
      stages: [
        {
          name: 'shadow',
          mode: 'live',
          weight: 0,
          minDurationSec: 1,
          minSamples: 50,
          gates: ['matchRate >= 0.9'],
          rollbackTriggers: [{ metric: 'matchRate', op: '<', threshold: 0.8, confidence: 0.95 }],
        },
        { name: 'canary', mode: 'live', weight: 20, minDurationSec: 1, minSamples: 50, gates: ['matchRate >= 0.9'] },
      ],
      watchAfterFinalSec: 0,
      cooldownSec: 3600,
    },
    ...over,
  };
}

describe('sentinel processes on the real broker and Redis', () => {
  let kafka: TestKafka;
  let server: TestRedis;
  let redis: Redis;
  let store: WindowStore;
  const children: Array<ReturnType<typeof spawnTs>> = [];
  let feeding: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    kafka = await createTestKafka('sentinel');
    await kafka.provision();
    server = await startRedisServer();
    redis = new Redis(server.url);
    store = new WindowStore(redis, { prefix: kafka.ns.keyPrefix, windowMs: 1000, retentionMs: 3_600_000, dedupeMs: 3_600_000, maxTopPaths: 10, maxExamples: 3 });
    const dir = mkdtempSync(join(tmpdir(), 'penumbra-sentinel-'));
    const keysFile = join(dir, 'keys.json');
    writeFileSync(keysFile, JSON.stringify({ keys: [KEY] }));
    for (const instance of ['a', 'b']) {
      children.push(
        spawnTs(join(__dirname, 'main.ts'), {
          KAFKA_BROKERS: kafka.brokers.join(','),
          TOPIC_PREFIX: kafka.ns.topicPrefix,
          KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
          KAFKA_SESSION_TIMEOUT_MS: '6000',
          REDIS_URL: server.url,
          REDIS_KEY_PREFIX: kafka.ns.keyPrefix,
          AGGREGATOR_WINDOW_MS: '1000',
          SENTINEL_EVALUATE_INTERVAL_MS: '200',
          SENTINEL_OPERATOR_KEYS_FILE: keysFile,
          HTTP_PORT: '0',
          INSTANCE_ID: instance,
          LOG_LEVEL: 'warn',
        }),
      );
    }
  });

  afterAll(async () => {
    clearInterval(feeding);
    for (const child of children) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    redis.disconnect();
    await server.stop();
    await kafka.close();
  });

  /** Writes `n` diff events of the experiment into the aggregator's windows, `matching` of them matches. */
  let seq = 0;
  const feed = async (experimentId: string, n: number, matching: number) => {
    const ops = Array.from({ length: n }, (_, i) => {
      seq += 1;
      const outcome = i < matching ? 'match' : 'mismatch';
      const e = diffEventSchema.parse({
        type: 'diff.v1',
        id: `${experimentId}:t${seq}`,
        ts: Date.now(),
        experimentId,
        endpoint: 'GET /orders/:id',
        slice: {},
        outcome,
        statusMatch: true,
        status: { primary: 200, candidate: 200 },
        differences: outcome === 'mismatch' ? [{ path: '$.total', kind: 'changed', primary: '1', candidate: '2' }] : [],
        latencyMs: { primary: 10, candidate: 11 },
        errors: {},
      });
      return diffEventOps(e, String(seq), store.options, 0.01);
    });
    await store.apply(`${kafka.ns.keyPrefix}test-offsets:${experimentId}`, ops);
  };

  /** Everything on a topic up to its current end. */
  const read = async <T>(topic: string, parse: (v: unknown) => T): Promise<T[]> => {
    const count = (await kafka.admin.topicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    return (await kafka.readAll(topic, count, 60_000)).map((r) => parse(JSON.parse(r.value?.toString() ?? 'null')));
  };
  const commands = () => read<Command>(kafka.topics.commands, (v) => commandSchema.parse(v));
  const alerts = () => read<Alert>(kafka.topics.alerts, (v) => alertSchema.parse(v));

  it('promotes a good candidate through every stage and rolls a bad one back, two replicas never disagreeing', async () => {
    await publishExperiments(kafka, [experiment('good'), experiment('bad')]);
    feeding = setInterval(() => void feed('good', 30, 30).then(() => feed('bad', 30, 15)), 250);
    let all: Command[] = [];
    await waitFor(
      async () => {
        all = await commands();
        return all.some((c) => c.experimentId === 'good' && c.toStage === 'promoted') && all.some((c) => c.experimentId === 'bad' && c.action === 'rollback');
      },
      { timeoutMs: 90_000, intervalMs: 500, what: () => `the promotion of good and the rollback of bad (commands so far: ${all.map((c) => c.id).join(', ')})` },
    );
    clearInterval(feeding);
    const good = all.filter((c) => c.experimentId === 'good');
    expect([...new Map(good.map((c) => [c.id, c])).values()].map((c) => [c.action, c.fromStage, c.toStage])).toEqual([
      ['promote', 'shadow', 'canary'],
      ['promote', 'canary', 'promoted'],
    ]);
    expect(good[0]?.evidence.gates[0]).toMatchObject({ gate: 'matchRate >= 0.9', verdict: 'pass' });
    expect(good[0]?.evidence.samples).toBeGreaterThanOrEqual(50);
    const bad = all.filter((c) => c.experimentId === 'bad');
    expect(bad.map((c) => c.action)).toContain('rollback');
    expect(bad.some((c) => c.action === 'promote' && c.toStage === 'promoted')).toBe(false);
    // Whatever the replicas raced on, one state version led to one command.
    const byVersion = new Map<string, Set<string>>();
    for (const c of all) byVersion.set(`${c.experimentId}:${c.stateVersion}`, (byVersion.get(`${c.experimentId}:${c.stateVersion}`) ?? new Set()).add(c.id));
    for (const ids of byVersion.values()) expect(ids.size).toBe(1);
  });

  it('answers signed control requests, rejects unsigned ones, and a kill halts the experiment', async () => {
    await publishExperiments(kafka, [experiment('ctl')]);
    await feed('ctl', 10, 10);
    const base = { type: 'control.v1' as const, experimentId: 'ctl', actor: 'ana', reason: 'incident 42' };
    const unsigned = controlRequestSchema.parse({ ...base, id: 'req-unsigned', ts: Date.now(), action: 'promote' });
    const forged = { ...signControlRequest({ ...base, id: 'req-forged', ts: Date.now(), action: 'promote' }, KEY), reason: 'changed after signing' };
    const kill = signControlRequest({ ...base, id: 'req-kill', ts: Date.now(), action: 'kill' }, KEY);
    await kafka.send([unsigned, forged, kill].map((r) => encodeEvent(controlRequestSchema, r, kafka.topics.control, 'ctl')));

    let seen: Alert[] = [];
    await waitFor(
      async () => {
        seen = (await alerts()).filter((a) => a.experimentId === 'ctl');
        return seen.filter((a) => a.kind === 'control-rejected').length >= 2 && seen.some((a) => a.kind === 'kill');
      },
      { timeoutMs: 60_000, intervalMs: 500, what: () => `two rejections and a kill alert (so far: ${seen.map((a) => a.message).join(' | ')})` },
    );
    const rejected = seen.filter((a) => a.kind === 'control-rejected').map((a) => a.message);
    expect(rejected).toEqual(
      expect.arrayContaining([expect.stringMatching(/promote by ana rejected: unsigned request/), expect.stringMatching(/promote by ana rejected: bad signature for key "ana-1"/)]),
    );
    expect(seen.find((a) => a.kind === 'kill')?.details).toMatchObject({ event: 'kill_switch.activated', actor: 'ana' });
    // Deduplicated by id: two replicas may both send what one state change owes (at least once).
    const killCommands = [...new Map((await commands()).filter((c) => c.experimentId === 'ctl').map((c) => [c.id, c])).values()];
    expect(killCommands).toEqual([expect.objectContaining({ action: 'kill', toStage: 'killed', actor: { kind: 'operator', name: 'ana' }, reason: 'kill by ana: incident 42' })]);
    const records = (await read(kafka.topics.experiments, (v) => experimentRecordSchema.parse(v))).filter((r) => r.experimentId === 'ctl');
    expect(records.at(-1)?.halted).toMatchObject({ commandId: killCommands[0]?.id });
  });

  it('rebuilds a slice from the commands topic when its state is gone from Redis, instead of starting over', async () => {
    const slow = experiment('amnesia');
    const stages = slow.policy?.stages ?? [];
    await publishExperiments(kafka, [{ ...slow, policy: { ...slow.policy, stages: [stages[0], { ...stages[1], minDurationSec: 100_000 }] } } as ExperimentSpecInput]);
    feeding = setInterval(() => void feed('amnesia', 30, 30), 250);
    await waitFor(async () => (await commands()).some((c) => c.experimentId === 'amnesia'), { timeoutMs: 60_000, intervalMs: 500, what: 'the first promotion of amnesia' });
    const state = new SentinelStateStore(redis, kafka.ns.keyPrefix);
    const before = await state.load('amnesia', '*');
    expect(before?.state).toMatchObject({ stageIndex: 1, version: 1 });

    // The whole-experiment slice is named "*": this deletes exactly its state.
    expect(await redis.del(`${kafka.ns.keyPrefix}sentinel:{amnesia}:slice:*`)).toBe(1);
    await waitFor(async () => (await state.load('amnesia', '*'))?.state.stageIndex === 1, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'the state to come back at the canary stage',
    });
    await new Promise((r) => setTimeout(r, 3_000));
    clearInterval(feeding);
    expect((await state.load('amnesia', '*'))?.state).toMatchObject({ stageIndex: 1, version: 1, status: 'running', stageEnteredAt: before?.state.stageEnteredAt });
    // One decision, perhaps sent more than once (an outbox is at least once); starting over would have decided again, later.
    const decided = new Set((await commands()).filter((c) => c.experimentId === 'amnesia').map((c) => `${c.id}@${c.ts}`));
    expect([...decided]).toEqual([`amnesia:*:shadow->canary:v0@${before?.state.stageEnteredAt}`]);
  });

  it('alerts when an experiment decided per slice sees only the "*" rollup, instead of waiting in silence (issue 16, bug 3)', async () => {
    await publishExperiments(kafka, [experiment('unsliced', { slices: { attributes: ['tenant'], decidePerSlice: true } })]);
    feeding = setInterval(() => void feed('unsliced', 30, 18), 250);
    let warned: Alert[] = [];
    await waitFor(
      async () => {
        warned = (await alerts()).filter((a) => a.experimentId === 'unsliced' && a.kind === 'gate-warning');
        return warned.length > 0;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'a gate-warning alert for unsliced' },
    );
    clearInterval(feeding);
    expect(warned[0]?.message).toMatch(/per slice of tenant .*only the "\*" rollup and no slice/);
    expect((await commands()).some((c) => c.experimentId === 'unsliced')).toBe(false);
  });
});
