import { diffEventSchema } from '@penumbra/contracts';
import { LogHistogram } from '@penumbra/stats-core';
import { diffEventOps } from './window-ops';
import { emptyCounts, mergeWindowHash } from './window-read';

describe('an unknown comparison (a truncated body) in the windows', () => {
  it('is counted in its own counter and read back into the counts', () => {
    const event = diffEventSchema.parse({
      type: 'diff.v1',
      id: 'e:1',
      ts: 1_000,
      experimentId: 'e',
      endpoint: 'GET /a',
      outcome: 'unknown',
      statusMatch: true,
      status: { primary: 200, candidate: 200 },
      latencyMs: { primary: 1, candidate: 1 },
    });
    const { ops } = diffEventOps(event, '0', { prefix: 't:', windowMs: 10_000 }, 0.01);
    const hash: Record<string, string> = {};
    for (const op of ops) if (op[0] === 'i') hash[op[2]] = String(Number(hash[op[2]] ?? 0) + op[3]);
    expect(hash['c:unknown']).toBe('1');
    expect(hash['c:match']).toBeUndefined();
    const merged = {
      experimentId: 'e',
      sliceKey: '*',
      from: 0,
      to: 0,
      windows: 0,
      counts: emptyCounts(),
      latency: { primary: new LogHistogram(0.01), candidate: new LogHistogram(0.01), secondary: new LogHistogram(0.01) },
      topPaths: [],
      metrics: {},
      lastTs: new Map(),
    };
    mergeWindowHash(merged, hash, 0.01);
    expect(merged.counts).toMatchObject({ pairs: 1, unknown: 1, match: 0, mismatch: 0 });
  });
});

describe('replayed evidence in the windows', () => {
  const event = (replay?: 'retained' | 'corpus') =>
    diffEventSchema.parse({
      type: 'diff.v1',
      id: 'e:1#replay',
      ts: 1_000,
      experimentId: 'e',
      endpoint: 'GET /a',
      slice: { tenant: 'acme' },
      outcome: 'match',
      statusMatch: true,
      status: { primary: 200, candidate: 200 },
      latencyMs: { primary: 1, candidate: 1 },
      ...(replay ? { replay } : {}),
    });
  const sliceKeysOf = (e: ReturnType<typeof event>) => diffEventOps(e, '0', { prefix: 't:', windowMs: 10_000 }, 0.01).windows.map((w) => w.sliceKey);

  it('counts a replayed pair only in its replay rollup, never in "*" or a live slice', () => {
    expect(sliceKeysOf(event('retained'))).toEqual(['~replay']);
    expect(sliceKeysOf(event('corpus'))).toEqual(['~corpus']);
    expect(sliceKeysOf(event())).toEqual(['*', 'tenant=acme']);
  });
});
