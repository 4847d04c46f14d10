import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { type Cluster, type Redis } from 'ioredis';
import { aggregatesMarkerKey, readAggregate, windowIndexKey, windowKey } from '@penumbra/aggregates';
import { type DiffEvent, aggregateSnapshotSchema, diffEventSchema } from '@penumbra/contracts';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, spawnTs, waitForGroupCaughtUp } from '@penumbra/kafka-testing';
import { type TestRedis, startRedisServer, waitFor, testRandom } from '@penumbra/testing';

jest.setTimeout(300_000);

const T0 = 1_763_776_800_000;
const OUTCOMES = ['match', 'mismatch', 'candidate_error', 'match', 'match'] as const;

function event(experimentId: string, i: number): DiffEvent {
  const outcome = OUTCOMES[i % OUTCOMES.length] as DiffEvent['outcome'];
  return diffEventSchema.parse({
    type: 'diff.v1',
    id: `${experimentId}:t${i}`,
    ts: T0 + (i % 50) * 1000,
    experimentId,
    endpoint: 'GET /items/:id',
    slice: { tenant: i % 3 === 0 ? 'acme' : 'globex' },
    outcome,
    statusMatch: outcome !== 'candidate_error',
    status: { primary: 200, ...(outcome === 'candidate_error' ? {} : { candidate: 200 }) },
    differences: outcome === 'mismatch' ? [{ path: '$.price', kind: 'changed', primary: '1', candidate: '2' }] : [],
    latencyMs: { primary: 5 + (i % 20), ...(outcome === 'candidate_error' ? {} : { candidate: 6 + (i % 20) }) },
    errors: outcome === 'candidate_error' ? { candidate: 'timeout' } : {},
  });
}

function expected(n: number) {
  const byOutcome: Record<string, number> = {};
  let acme = 0;
  for (let i = 0; i < n; i += 1) {
    const o = OUTCOMES[i % OUTCOMES.length] as string;
    byOutcome[o] = (byOutcome[o] ?? 0) + 1;
    if (i % 3 === 0) acme += 1;
  }
  return { match: byOutcome['match'] ?? 0, mismatch: byOutcome['mismatch'] ?? 0, candidateErrors: byOutcome['candidate_error'] ?? 0, acme };
}

describe('aggregator process on the real broker and Redis', () => {
  const random = testRandom('aggregator kill delays');
  let kafka: TestKafka;
  let server: TestRedis;
  let redis: Redis | Cluster;
  const keys = () => ({ prefix: kafka.ns.keyPrefix, windowMs: 10_000 });
  let log = '';

  beforeAll(async () => {
    kafka = await createTestKafka('aggregator');
    await kafka.provision({ diffs: { partitions: 2 } });
    server = await startRedisServer({ clusterable: true });
    redis = server.connect();
  });

  afterAll(async () => {
    redis.disconnect();
    await server.stop();
    await kafka.close();
  });

  const start = (extra: Record<string, string> = {}) => {
    const child = spawnTs(join(__dirname, 'main.ts'), {
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      ...server.env,
      REDIS_KEY_PREFIX: kafka.ns.keyPrefix,
      AGGREGATOR_PARTIAL_SNAPSHOT_MS: '500',
      LOG_LEVEL: 'warn',
      ...extra,
    });
    child.stdout?.on('data', (d: Buffer) => (log = `${log}${d.toString()}`.slice(-3000)));
    child.stderr?.on('data', (d: Buffer) => (log = `${log}${d.toString()}`.slice(-3000)));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    return { child, exited };
  };

  const produce = async (experimentId: string, from: number, to: number) => {
    for (let i = from; i < to; i += 500) {
      const batch = Array.from({ length: Math.min(500, to - i) }, (_, k) => event(experimentId, i + k));
      await kafka.send(batch.map((e) => encodeEvent(diffEventSchema, e, kafka.topics.diffs, e.id)));
    }
  };

  const totals = (experimentId: string) => readAggregate(redis, keys(), experimentId);
  // The aggregator commits only after Redis holds a batch's effects, so once its group (named by
  // the marker in Redis) has committed everything, the totals can no longer change.
  const settled = () => waitForGroupCaughtUp(kafka.admin, async () => (await redis.get(aggregatesMarkerKey(kafka.ns.keyPrefix))) ?? 'no-marker-yet', [kafka.topics.diffs]);

  it('counts every event exactly once although the process is SIGKILLed again and again', async () => {
    const n = 20_000;
    await produce('crashy', 0, n);
    const applied: number[] = [];
    let before = 0;
    for (let round = 0; round < 3 && before < n; round += 1) {
      const run = start();
      // Kill as soon as this run has applied something, after a random extra few milliseconds.
      await waitFor(async () => (await totals('crashy')).counts.pairs > before, { timeoutMs: 60_000, intervalMs: 10, what: 'progress before the kill' });
      await new Promise((r) => setTimeout(r, Math.floor(random.next() * 100)));
      run.child.kill('SIGKILL');
      await run.exited;
      before = (await totals('crashy')).counts.pairs;
      applied.push(before);
    }
    // The kills landed while events were still being applied, not after the work was done.
    expect(applied.some((a) => a > 0 && a < n)).toBe(true);
    const final = start();
    try {
      await waitFor(async () => (await totals('crashy')).counts.pairs >= n, { timeoutMs: 120_000, intervalMs: 250, what: () => `all events applied (aggregator log: ${log})` });
      await settled();
      const all = await totals('crashy');
      const want = expected(n);
      expect(all.counts).toMatchObject({ pairs: n, match: want.match, mismatch: want.mismatch, candidateErrors: want.candidateErrors, timeouts: want.candidateErrors });
      expect((await readAggregate(redis, keys(), 'crashy', 'tenant=acme')).counts.pairs).toBe(want.acme);
      expect((await readAggregate(redis, keys(), 'crashy', 'tenant=globex')).counts.pairs).toBe(n - want.acme);
      expect(all.latency.primary.count).toBe(n);
      expect(all.topPaths[0]).toMatchObject({ path: '$.price', count: want.mismatch });

      const snapshots = (await kafka.readAll(kafka.topics.aggregates, 1)).map((r) => aggregateSnapshotSchema.parse(JSON.parse(r.value!.toString())));
      expect(snapshots.some((s) => s.experimentId === 'crashy' && s.sliceKey === '*')).toBe(true);
    } finally {
      final.child.kill('SIGTERM');
      await final.exited;
    }
  });

  it('rebuilds the totals exactly when Redis is wiped mid-stream', async () => {
    const run = start();
    try {
      await produce('wiped', 0, 1000);
      await waitFor(async () => (await totals('wiped')).counts.pairs === 1000, { timeoutMs: 90_000, intervalMs: 250, what: 'first 1000 applied' });
      await server.flushAll();
      await produce('wiped', 1000, 1500);
      await waitFor(async () => (await totals('wiped')).counts.pairs >= 1500, { timeoutMs: 120_000, intervalMs: 250, what: () => 'the rebuild to reach 1500' });
      await settled();
      const all = await totals('wiped');
      const want = expected(1500);
      expect(all.counts).toMatchObject({ pairs: 1500, match: want.match, mismatch: want.mismatch, candidateErrors: want.candidateErrors });
      expect((await totals('crashy')).counts.pairs).toBe(20_000);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });

  it('rebuilds one experiment on demand with `penumbra aggregates rebuild` while the aggregator keeps consuming', async () => {
    const run = start();
    try {
      await produce('redo', 0, 2000);
      await waitFor(async () => (await totals('redo')).counts.pairs === 2000, { timeoutMs: 90_000, intervalMs: 250, what: 'first 2000 applied' });
      const [first, second] = await redis.zrange(windowIndexKey(keys(), 'redo'), 0, 1);
      const [slice1, start1] = (first as string).split('|') as [string, string];
      const [slice2, start2] = (second as string).split('|') as [string, string];
      await redis.hincrby(windowKey(keys(), 'redo', slice1, Number(start1)).hash, 'c:pairs', 777);
      await redis.del(windowKey(keys(), 'redo', slice2, Number(start2)).hash);
      expect((await totals('redo')).counts.pairs).not.toBe(2000);

      const cli = rebuildCli('redo');
      await produce('redo', 2000, 3000);
      const result = await cli;
      expect(result).toMatchObject({ code: 0 });
      expect(result.stderr).toMatch(/rebuilding redo: 100% \(/);
      expect(JSON.parse(result.stdout)).toMatchObject({ experimentId: 'redo', generation: 1, truncated: [] });

      await waitFor(async () => (await totals('redo')).counts.pairs >= 3000, { timeoutMs: 90_000, intervalMs: 250, what: 'all 3000 applied after the rebuild' });
      await settled();
      const want = expected(3000);
      expect((await totals('redo')).counts).toMatchObject({ pairs: 3000, match: want.match, mismatch: want.mismatch, candidateErrors: want.candidateErrors });
      expect((await readAggregate(redis, keys(), 'redo', 'tenant=acme')).counts.pairs).toBe(want.acme);
      expect((await totals('wiped')).counts.pairs).toBe(1500);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });

  function rebuildCli(experimentId: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const bin = join(__dirname, '..', '..', 'cli', 'bin', 'penumbra.cjs');
    const env = {
      ...process.env,
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      ...server.env,
      REDIS_KEY_PREFIX: kafka.ns.keyPrefix,
    };
    return new Promise((resolve) => {
      execFile(process.execPath, [bin, 'aggregates', 'rebuild', experimentId, '--json'], { env, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
      );
    });
  }
});
