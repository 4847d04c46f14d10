import { jsonPair } from '@penumbra/kafka-testing';
import { comparePair, compareConfigOf } from './compare-pair';
import { judgeNoise } from './noise-judge';
import { MemoryNoiseStore } from './noise-store';

const config = compareConfigOf(undefined, 1_000_000);

describe('judgeNoise', () => {
  it('keeps a difference production does not show, suppresses one it does', async () => {
    const store = new MemoryNoiseStore();
    const pair = jsonPair('e', 't1', { primary: { id: 'p', v: 1 }, secondary: { id: 's', v: 1 }, candidate: { id: 'c', v: 2 } });
    const { events } = await judgeNoise([{ c: comparePair(pair, config), config }], store, 'k:', 1);
    expect(events[0]).toMatchObject({ outcome: 'mismatch', differences: [{ path: '$.v' }], suppressedNoise: ['$.id'] });
    expect(store.data.get('k:noise:{e}:GET /items/:id')).toEqual(
      new Map([
        ['req', 1],
        ['raw:$.id', 1],
        ['raw:$.v', 1],
        ['noise:$.id', 1],
      ]),
    );
  });

  it('reports a match when only noise differs', async () => {
    const pair = jsonPair('e', 't1', { primary: { id: 'p' }, secondary: { id: 's' }, candidate: { id: 'c' } });
    const { events } = await judgeNoise([{ c: comparePair(pair, config), config }], new MemoryNoiseStore(), 'k:', 1);
    expect(events[0]).toMatchObject({ outcome: 'match', differences: [], suppressedNoise: ['$.id'] });
  });

  it('classifies errors on either side before comparing', async () => {
    const both = jsonPair('e', 'b', { primary: { v: 1 }, candidate: { error: 'connect' } });
    const { events } = await judgeNoise([{ c: comparePair(both, config), config }], new MemoryNoiseStore(), 'k:', 1);
    expect(events[0]).toMatchObject({ outcome: 'candidate_error', errors: { candidate: 'connect' }, latencyMs: { primary: 5, candidate: 100 } });
  });
});

describe('judgeNoise with the sequential method', () => {
  const sequential = { ...config, noise: { ...config.noise, method: 'sequential' as const } };
  // $.id differs on both sides (noise by Diffy's rule); $.v only on the candidate's.
  const pair = jsonPair('e', 't1', { primary: { id: 'p', v: 1 }, secondary: { id: 's', v: 1 }, candidate: { id: 'c', v: 2 } });
  const judge = (decided: Map<string, 'regression' | 'noise'>, cfg: typeof config = sequential) =>
    judgeNoise([{ c: comparePair(pair, cfg), config: cfg }], new MemoryNoiseStore(), 'k:', 1, new Map([['e', decided]]));

  it('never suppresses a path judged a regression, and always suppresses one judged noise', async () => {
    const { events } = await judge(
      new Map([
        ['GET /items/:id\t$.id', 'regression'],
        ['GET /items/:id\t$.v', 'noise'],
      ]),
    );
    expect(events[0]).toMatchObject({ outcome: 'mismatch', differences: [{ path: '$.id' }], suppressedNoise: ['$.v'] });
  });

  it("falls back to Diffy's rule for undecided paths, and ignores verdicts under the threshold method", async () => {
    expect((await judge(new Map())).events[0]).toMatchObject({ differences: [{ path: '$.v' }], suppressedNoise: ['$.id'] });
    expect((await judge(new Map([['GET /items/:id\t$.id', 'regression']]), config)).events[0]).toMatchObject({ suppressedNoise: ['$.id'] });
  });
});
