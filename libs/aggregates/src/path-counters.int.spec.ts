import { type Cluster, type Redis } from 'ioredis';
import { type DiffEvent, diffEventSchema } from '@penumbra/contracts';
import { startRedisServer, type TestRedis } from '@penumbra/testing';
import { freezeRegressions, pathName, readPathEvidence } from './path-counters';
import { judgeRollupPaths } from './path-judge';
import { diffEventOps } from './window-ops';
import { WindowStore } from './window-store';

jest.setTimeout(60_000);

const T0 = 1_763_776_800_000;
const pair = (i: number, experimentId: string, candidate: string[], secondary: string[], over: Partial<DiffEvent> = {}): DiffEvent =>
  diffEventSchema.parse({
    type: 'diff.v1',
    id: `${experimentId}:${i}`,
    ts: T0 + i,
    experimentId,
    endpoint: 'GET /items/:id',
    outcome: candidate.length > 0 ? 'mismatch' : 'match',
    statusMatch: true,
    status: { primary: 200, candidate: 200, secondary: 200 },
    latencyMs: { primary: 10, candidate: 12, secondary: 11 },
    paired: { candidate, secondary },
    ...over,
  });

describe('path counters on a real redis-server', () => {
  let server: TestRedis;
  let redis: Redis | Cluster;
  const keys = { prefix: `pc${process.pid}:`, windowMs: 10_000 };
  const settings = { fdr: 0.05, delta: 0.001, alpha: 0.05, maxPaths: 10 };
  let store: WindowStore;

  beforeAll(async () => {
    server = await startRedisServer({ clusterable: true });
    redis = server.connect();
    store = new WindowStore(redis, { ...keys, retentionMs: 3_600_000, dedupeMs: 3_600_000, maxPaths: 4 });
  });

  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('counts each pair once at each path, however the batch is redelivered, and judges a regression from them', async () => {
    const events = Array.from({ length: 300 }, (_, i) => pair(i, 'reg', i % 10 === 0 ? ['$.price'] : [], i % 50 === 0 ? ['$.ts', '$.price'] : i % 3 === 0 ? ['$.ts'] : []));
    const ops = events.map((e, i) => diffEventOps(e, String(i), keys, 0.01));
    const offsets = store.offsetKey('g', 'diffs', 0);
    expect(await store.apply(offsets, ops)).toBe(300);
    expect(await store.apply(offsets, ops)).toBe(0);
    const evidence = await readPathEvidence(redis, keys, 'reg', '*');
    expect(evidence.pairs).toBe(300);
    expect(evidence.overflow).toBe(0);
    const price = evidence.paths.find((p) => p.template === '$.price');
    const ts = evidence.paths.find((p) => p.template === '$.ts');
    // Every 50th pair differs at $.price on both sides, the other 24 of every 10th on the candidate's only; $.ts differs on the secondary's in every 3rd and every 50th (104).
    expect(price?.counts).toEqual({ n: 300, candidateOnly: 24, secondaryOnly: 0, both: 6 });
    expect(ts?.counts).toEqual({ n: 300, candidateOnly: 0, secondaryOnly: 104, both: 0 });
    const judged = judgeRollupPaths(evidence, settings);
    expect(judged.verdicts.verdicts[0]).toMatchObject({ path: '$.price', verdict: 'regression' });
    expect(judged.newlyFlagged.map((f) => f.path)).toEqual([pathName('GET /items/:id', '$.price')]);
    await freezeRegressions(redis, { ...keys, retentionMs: 60_000 }, 'reg', '*', judged.newlyFlagged);
    const again = await readPathEvidence(redis, keys, 'reg', '*');
    expect(again.paths.find((p) => p.template === '$.price')?.flaggedLogEValue).toBeCloseTo(judged.newlyFlagged[0]?.logEValue ?? NaN);
  });

  it('keeps replayed pairs in their own rollup, never in the live one', async () => {
    const replayed = pair(1, 'rep', ['$.a'], [], { replay: 'corpus' });
    await store.apply(store.offsetKey('g', 'diffs', 1), [diffEventOps(replayed, '1', keys, 0.01)]);
    expect((await readPathEvidence(redis, keys, 'rep', '*')).pairs).toBeUndefined();
    expect((await readPathEvidence(redis, keys, 'rep', '~corpus')).paths.map((p) => p.counts)).toEqual([{ n: 1, candidateOnly: 1, secondaryOnly: 0, both: 0 }]);
  });

  it('counts paths past the cap as overflow, which holds the equivalence bound at 1', async () => {
    const many = Array.from({ length: 8 }, (_, i) => pair(i, 'cap', [`$.f${i}`], []));
    await store.apply(
      store.offsetKey('g', 'diffs', 2),
      many.map((e, i) => diffEventOps(e, String(i), keys, 0.01)),
    );
    const evidence = await readPathEvidence(redis, keys, 'cap', '*');
    // Four members: the endpoint's pair count and three paths.
    expect(evidence.paths).toHaveLength(3);
    expect(evidence.overflow).toBe(5);
    expect(judgeRollupPaths(evidence, settings).verdicts.maxExcessDiffRate).toBe(1);
  });

  it('counts a pair with incomplete indicators as overflow', async () => {
    await store.apply(store.offsetKey('g', 'diffs', 3), [
      diffEventOps(pair(1, 'inc', ['$.a'], [], { paired: { candidate: ['$.a'], secondary: [], incomplete: true } }), '1', keys, 0.01),
    ]);
    expect((await readPathEvidence(redis, keys, 'inc', '*')).overflow).toBe(1);
  });
});
