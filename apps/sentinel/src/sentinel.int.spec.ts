import { join } from 'node:path';
import { type Cluster, type Redis } from 'ioredis';
import { WindowStore, diffEventOps, readAggregate, toSnapshot } from '@penumbra/aggregates';
import {
  type Alert,
  type Command,
  type ExperimentSpecInput,
  type OperatorSigner,
  ackSchema,
  aggregateSnapshotSchema,
  alertSchema,
  commandSchema,
  controlRequestSchema,
  diffEventSchema,
  experimentRecordSchema,
  commandId,
  generateOperatorKeyFiles,
  generateSigningKeyFiles,
  operatorSignerFromJson,
  signMessage,
  signingKeyFromJson,
  verifyMessage,
} from '@penumbra/contracts';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, publishExperiments, spawnTs, waitForGroupCaughtUp } from '@penumbra/kafka-testing';
import { signControlRequest } from '@penumbra/policy-core';
import { silentLogger } from '@penumbra/observability';
import { SentinelStateStore } from '@penumbra/sentinel-state';
import { type TestRedis, startRedisServer, testCommandKeys, waitFor } from '@penumbra/testing';

jest.setTimeout(180_000);

const commandKeys = testCommandKeys();

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
  let redis: Redis | Cluster;
  let store: WindowStore;
  const children: Array<ReturnType<typeof spawnTs>> = [];
  let feeding: NodeJS.Timeout | undefined;
  let logs = '';
  let KEY: OperatorSigner;

  beforeAll(async () => {
    kafka = await createTestKafka('sentinel', silentLogger, { ana: ['operator'] });
    KEY = kafka.operators.operators['ana']!.signer;
    await kafka.provision();
    server = await startRedisServer({ clusterable: true });
    redis = server.connect();
    store = new WindowStore(redis, { prefix: kafka.ns.keyPrefix, windowMs: 1000, retentionMs: 3_600_000, dedupeMs: 3_600_000, maxTopPaths: 10, maxExamples: 3 });
    for (const instance of ['a', 'b']) {
      const child = spawnTs(join(__dirname, 'main.ts'), {
        KAFKA_BROKERS: kafka.brokers.join(','),
        TOPIC_PREFIX: kafka.ns.topicPrefix,
        ...kafka.operators.env,
        KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        ...server.env,
        REDIS_KEY_PREFIX: kafka.ns.keyPrefix,
        AGGREGATOR_WINDOW_MS: '1000',
        SENTINEL_EVALUATE_INTERVAL_MS: '200',
        ...commandKeys.env,
        HTTP_PORT: '0',
        INSTANCE_ID: instance,
        LOG_LEVEL: 'warn',
      });
      const keep = (d: Buffer) => (logs = `${logs}[${instance}] ${d.toString()}`.slice(-6000));
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      children.push(child);
    }
  });

  afterAll(async () => {
    clearInterval(feeding);
    for (const child of children) {
      // A replica that already exited (a consumer that lost its group while stopped exits to be restarted) emits no more 'exit'.
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGCONT');
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
    // Every command carries the sentinel's signature, which a follower checks before it obeys.
    expect(all.map((c) => verifyMessage(c, commandKeys.trusted))).toEqual(all.map(() => ({ ok: true, keyId: 'sentinel-test' })));
    expect(good[0]?.evidence.samples).toBeGreaterThanOrEqual(50);
    const bad = all.filter((c) => c.experimentId === 'bad');
    expect(bad.map((c) => c.action)).toContain('rollback');
    expect(bad.some((c) => c.action === 'promote' && c.toStage === 'promoted')).toBe(false);
    // Whatever the replicas raced on, one state version led to one command.
    const byVersion = new Map<string, Set<string>>();
    for (const c of all) byVersion.set(`${c.experimentId}:${c.stateVersion}`, (byVersion.get(`${c.experimentId}:${c.stateVersion}`) ?? new Set()).add(c.id));
    for (const ids of byVersion.values()) expect(ids.size).toBe(1);

    // An acknowledgement no known applier signed clears nothing: the command stays awaited.
    const first = good[0]!;
    const forgedAck = ackSchema.parse({ type: 'ack.v1', id: 'ack-forged', ts: Date.now(), experimentId: 'good', commandId: first.id, appliedBy: 'mallory', result: 'applied' });
    await kafka.send([encodeEvent(ackSchema, forgedAck, kafka.topics.acks, 'good')]);
    await waitForGroupCaughtUp(kafka.admin, () => `${kafka.ns.id}.sentinel`, [kafka.topics.acks]);
    const awaited = await new SentinelStateStore(redis, kafka.ns.keyPrefix).overdueAcks(Number.MAX_SAFE_INTEGER);
    expect(awaited.map((a) => a.commandId)).toContain(first.id);
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
      expect.arrayContaining([
        expect.stringMatching(/promote by ana rejected: unsigned request/),
        expect.stringMatching(/promote by ana rejected: bad signature for key "ana-test"/),
      ]),
    );
    expect(seen.find((a) => a.kind === 'kill')?.details).toMatchObject({ event: 'kill_switch.activated', actor: 'ana' });
    // Deduplicated by id: two replicas may both send what one state change owes (at least once).
    const killCommands = [...new Map((await commands()).filter((c) => c.experimentId === 'ctl').map((c) => [c.id, c])).values()];
    expect(killCommands).toEqual([expect.objectContaining({ action: 'kill', toStage: 'killed', actor: { kind: 'operator', name: 'ana' }, reason: 'kill by ana: incident 42' })]);
    const records = (await read(kafka.topics.experiments, (v) => experimentRecordSchema.parse(v))).filter((r) => r.experimentId === 'ctl');
    expect(records.at(-1)?.halted).toMatchObject({ commandId: killCommands[0]?.id });
  });

  it('a forged copy of a request id never suppresses the real request, and a kill goes through 100,000 unsigned requests queued ahead of it', async () => {
    await publishExperiments(kafka, [experiment('flood')]);
    await feed('flood', 10, 10);
    const base = { type: 'control.v1' as const, experimentId: 'flood', reason: 'incident 43' };
    const forged = signControlRequest(
      { ...base, actor: 'ana', id: 'req-flood-kill', ts: Date.now(), action: 'kill' },
      operatorSignerFromJson(generateOperatorKeyFiles(KEY.keyId, 'ana', ['operator']).signingKey),
    );
    // A probe answered and committed shows the control consumers are in their group before they are stopped.
    // (A new group starts at the end of the topic, so probes go out until one is committed.)
    let probes = 0;
    await waitFor(
      async () => {
        const probe = signControlRequest({ ...base, experimentId: 'flood-probe', actor: 'ana', id: `req-flood-probe-${probes++}`, ts: Date.now(), action: 'pause' }, KEY);
        await kafka.send([encodeEvent(controlRequestSchema, probe, kafka.topics.control, 'flood-probe')]);
        await new Promise((r) => setTimeout(r, 500));
        return (await kafka.admin.groupOffsets(`${kafka.ns.id}.sentinel-control`, kafka.topics.control)).some((o) => BigInt(o.offset) > 0n);
      },
      { timeoutMs: 60_000, what: 'the control consumers to join their group' },
    );
    await waitForGroupCaughtUp(kafka.admin, () => `${kafka.ns.id}.sentinel-control`, [kafka.topics.control]);
    // Both sentinels stand still while the flood and then the kill are queued, so the kill really waits behind it.
    for (const child of children) child.kill('SIGSTOP');
    await kafka.send([encodeEvent(controlRequestSchema, forged, kafka.topics.control, 'flood')]);
    const junk = 100_000;
    for (let i = 0; i < junk; i += 2_000) {
      const chunk = Array.from({ length: 2_000 }, (_, k) => controlRequestSchema.parse({ ...base, actor: 'mallory', id: `junk-${i + k}`, ts: Date.now(), action: 'promote' }));
      await kafka.send(chunk.map((r) => encodeEvent(controlRequestSchema, r, kafka.topics.control, 'flood')));
    }
    const kill = signControlRequest({ ...base, actor: 'ana', id: 'req-flood-kill', ts: Date.now(), action: 'kill' }, KEY);
    await kafka.send([encodeEvent(controlRequestSchema, kill, kafka.topics.control, 'flood')]);
    const sentAt = Date.now();
    for (const child of children) child.kill('SIGCONT');

    let killCommand: Command | undefined;
    await waitFor(
      async () => {
        killCommand = (await commands()).find((c) => c.experimentId === 'flood' && c.action === 'kill');
        return killCommand !== undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: () => `the kill through the flood (sentinel logs: ${logs})` },
    );
    expect(killCommand).toMatchObject({ toStage: 'killed', actor: { kind: 'operator', name: 'ana' } });
    process.stderr.write(`kill applied ${killCommand!.ts - sentAt} ms after the sentinels resumed with it queued behind ${junk} unsigned control requests\n`);
    // The flood is collapsed: one alert per source within the window, not one per record.
    const rejections = (await alerts()).filter((a) => a.experimentId === 'flood' && a.kind === 'control-rejected');
    expect(rejections.map((a) => a.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^kill by ana rejected: bad signature/), expect.stringMatching(/^promote by mallory rejected: unsigned request/)]),
    );
    expect(rejections.length).toBeLessThanOrEqual(6);
    // No forged or unsigned id was marked as seen; the real one was.
    const state = new SentinelStateStore(redis, kafka.ns.keyPrefix);
    expect(await state.seen('junk-0')).toBe(false);
    expect(await state.seen('req-flood-kill')).toBe(true);
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

    // Anyone may write to the commands topic: a forged promotion to the final stage must not be what the state is rebuilt from.
    const real = (await commands()).find((c) => c.experimentId === 'amnesia')!;
    const forgedBase = { ...real, fromStage: 'canary', toStage: 'promoted', stateVersion: 1, targetWeight: 100 };
    const forged = signMessage({ ...forgedBase, id: commandId(forgedBase) }, signingKeyFromJson(generateSigningKeyFiles('sentinel-test').signingKey));
    await kafka.send([{ topic: kafka.topics.commands, key: 'amnesia', value: JSON.stringify(forged) }]);

    // The whole-experiment slice is named "*": this deletes exactly its state.
    expect(await redis.del(`${kafka.ns.keyPrefix}sentinel:{amnesia}:slice:*`)).toBe(1);
    await waitFor(async () => (await state.load('amnesia', '*'))?.state.stageIndex === 1, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'the state to come back at the canary stage',
    });
    clearInterval(feeding);
    // One more snapshot makes the sentinel evaluate amnesia again with all its evidence; once the
    // sentinels' group has committed it, that evaluation is done, so a second decision would show.
    const now = Date.now();
    const snapshot = toSnapshot(await readAggregate(redis, store.options, 'amnesia'), {}, { start: now - 1000, end: now, closed: false }, now);
    await kafka.send([encodeEvent(aggregateSnapshotSchema, snapshot, kafka.topics.aggregates, 'amnesia')]);
    await waitForGroupCaughtUp(kafka.admin, () => `${kafka.ns.id}.sentinel`, [kafka.topics.aggregates]);
    expect((await state.load('amnesia', '*'))?.state).toMatchObject({ stageIndex: 1, version: 1, status: 'running', stageEnteredAt: before?.state.stageEnteredAt });
    // One decision, perhaps sent more than once (an outbox is at least once); starting over would have decided again, later.
    const decided = new Set((await commands()).filter((c) => c.experimentId === 'amnesia' && verifyMessage(c, commandKeys.trusted).ok).map((c) => `${c.id}@${c.ts}`));
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
