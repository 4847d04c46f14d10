import { pairSchema } from './pair';

const base = {
  type: 'pair.v1',
  ts: 1,
  experimentId: 'e',
  trafficId: 't1',
  endpoint: 'GET /a',
  request: { method: 'GET', path: '/a' },
  primary: { status: 200, latencyMs: 1 },
  candidate: { ok: true, response: { status: 200, latencyMs: 1 } },
};

describe('a replayed pair', () => {
  it('carries its mark and an id of its own, so it never shares a dedup with the live pair', () => {
    const replay = { run: 'r-1', kind: 'retained', capturedAt: 1 };
    expect(pairSchema.safeParse({ ...base, id: 'e:t1#replay', replay }).success).toBe(true);
    expect(pairSchema.safeParse({ ...base, id: 'e:t1', replay }).success).toBe(false);
    expect(pairSchema.safeParse({ ...base, id: 'e:t1#replay' }).success).toBe(false);
    expect(pairSchema.safeParse({ ...base, id: 'e:t1' }).success).toBe(true);
  });

  it('bounds the run name', () => {
    const result = pairSchema.safeParse({ ...base, id: 'e:t1#replay', replay: { run: 'x'.repeat(129), kind: 'retained', capturedAt: 1 } });
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues[0]?.path).toEqual(['replay', 'run']);
  });
});
