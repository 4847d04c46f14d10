import { type AggregateSnapshot, type Command, type CorpusEntry, trafficRecordSchema } from '@penumbra/contracts';
import { credentialPolicy } from '@penumbra/credentials';
import { corpusRequestOf, mergeEntry, trafficRecordOf } from './corpus-entries';
import { regressionPicks, rollbackPicks, trafficIdOf } from './corpus-picks';
import { ExampleBook } from './example-book';

const snapshot = (over: Partial<AggregateSnapshot> = {}): AggregateSnapshot =>
  ({
    type: 'aggregate.v1',
    id: 'e|*|0|closed',
    ts: 10_000,
    experimentId: 'e',
    sliceKey: '*',
    slice: {},
    window: { start: 0, end: 10_000, closed: true },
    counts: {
      pairs: 10,
      match: 5,
      mismatch: 5,
      candidateErrors: 0,
      primaryErrors: 0,
      bothErrors: 0,
      secondaryErrors: 0,
      statusMismatches: 0,
      timeouts: 0,
      tooLarge: 0,
      unknown: 0,
    },
    latency: {
      primary: { alpha: 0.01, count: 0, sum: 0, min: null, max: null, zeroCount: 0, bins: {} },
      candidate: { alpha: 0.01, count: 0, sum: 0, min: null, max: null, zeroCount: 0, bins: {} },
    },
    topPaths: [
      { endpoint: 'GET /o/:id', path: '$.total', count: 5, examples: ['e:t1', 'e:t2', 'e:t3#replay', 'other:t4'] },
      { endpoint: 'GET /o/:id', path: '$.ts', count: 5, examples: ['e:t5'] },
    ],
    metrics: {},
    paths: {
      fdr: 0.05,
      delta: 0.001,
      alpha: 0.05,
      hypotheses: 1000,
      maxExcessDiffRate: 1,
      regressions: 1,
      noise: 1,
      undecided: 0,
      overflow: 0,
      omitted: 0,
      verdicts: [
        {
          endpoint: 'GET /o/:id',
          path: '$.total',
          verdict: 'regression',
          counts: { n: 10, candidateOnly: 5, secondaryOnly: 0, both: 0 },
          excess: { estimate: 0.5, lower: 0.1, upper: 0.9 },
          logEValue: 12,
        },
        {
          endpoint: 'GET /o/:id',
          path: '$.ts',
          verdict: 'noise',
          counts: { n: 10, candidateOnly: 0, secondaryOnly: 0, both: 10 },
          excess: { estimate: 0, lower: -0.1, upper: 0.0005 },
        },
      ],
    },
    ...over,
  }) as AggregateSnapshot;

const rollback = { action: 'rollback', experimentId: 'e' } as Command;

describe('what is saved', () => {
  it('takes live pairs of the experiment only', () => {
    expect(trafficIdOf('e:t1', 'e')).toBe('t1');
    expect(trafficIdOf('e:t1#replay', 'e')).toBeUndefined();
    expect(trafficIdOf('ex:t1', 'e')).toBeUndefined();
    expect(trafficIdOf('e:', 'e')).toBeUndefined();
  });

  it('saves the paths judged a regression with every example pair seen, and the same paths on a rollback', () => {
    const book = new ExampleBook();
    book.add(snapshot());
    book.add(
      snapshot({ ts: 20_000, window: { start: 10_000, end: 20_000, closed: true }, topPaths: [{ endpoint: 'GET /o/:id', path: '$.total', count: 1, examples: ['e:t9', 'e:t1'] }] }),
    );
    const picks = regressionPicks(snapshot(), book.ids);
    expect(picks).toEqual([{ endpoint: 'GET /o/:id', path: '$.total', reason: 'regression', trafficIds: ['t9', 't1', 't2'] }]);
    expect(rollbackPicks(rollback, snapshot(), book.ids).map((p) => p.reason)).toEqual(['rollback']);
    expect(book.since()).toBe(0);
  });

  it('falls back to the most frequent differences on a rollback without verdicts, and saves nothing for other commands', () => {
    const book = new ExampleBook();
    const plain = snapshot({ paths: undefined });
    book.add(plain);
    expect(rollbackPicks(rollback, plain, book.ids).map((p) => p.path)).toEqual(['$.total', '$.ts']);
    expect(rollbackPicks({ ...rollback, action: 'promote' } as Command, plain, book.ids)).toEqual([]);
    expect(regressionPicks(snapshot({ sliceKey: 'tenant=a' }), book.ids)).toEqual([]);
  });
});

describe('corpus requests', () => {
  const policy = credentialPolicy({ hashKey: 'k' });
  const record = trafficRecordSchema.parse({
    type: 'traffic.v1',
    id: 't1',
    ts: 5,
    service: 'shop',
    request: {
      method: 'POST',
      path: '/o/1',
      query: 'access_token=SECRET12345&x=1',
      headers: { authorization: 'Bearer SECRETTOKEN1', accept: 'json' },
      body: { encoding: 'utf8', data: 'Bearer SECRETTOKEN2' },
    },
    response: { status: 200, latencyMs: 1 },
  });

  it('drops credential headers and hashes secrets in the query and body', () => {
    const r = corpusRequestOf(record, policy);
    const text = JSON.stringify(r);
    expect(text).not.toContain('SECRET');
    expect(r?.request.headers).toEqual({ accept: 'json' });
    expect(trafficRecordOf('shop', r!)).toMatchObject({ id: 't1', ts: 5, service: 'shop', request: { method: 'POST', path: '/o/1' } });
  });

  it('keeps no request too large for a corpus record', () => {
    const big = { ...record, request: { ...record.request, body: { encoding: 'utf8' as const, data: 'x'.repeat(40_000), truncated: false } } };
    expect(corpusRequestOf(big, policy)).toBeUndefined();
  });

  it('merges the new requests first, each once, at most twenty', () => {
    const req = (id: string) => ({ trafficId: id, capturedAt: 1, request: { method: 'GET' as const, path: '/', query: '', headers: {} }, attributes: {} });
    const entry = (ids: string[]): CorpusEntry => ({
      type: 'corpus.v1',
      service: 's',
      endpoint: 'e',
      path: 'p',
      reason: 'rollback',
      experimentId: 'x',
      savedAt: 1,
      requests: ids.map(req),
    });
    const merged = mergeEntry(entry(Array.from({ length: 19 }, (_, i) => `old${i}`)), entry(['new', 'old0']));
    expect(merged.requests.map((r) => r.trafficId).slice(0, 3)).toEqual(['new', 'old0', 'old1']);
    expect(merged.requests).toHaveLength(20);
  });
});
