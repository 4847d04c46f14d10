import { createHash } from 'node:crypto';
import { type Pair, pairSchema } from '@penumbra/contracts';
import { MAX_ENDPOINT_CHARS, boundPair, checkReplayStatus, clampEndpoint, cutBody, truncatedSides } from './pair-bounds';

const pair = (primaryBody: string, candidateBody: string, primaryTruncated = false): Pair =>
  pairSchema.parse({
    type: 'pair.v1',
    id: 'e:t',
    ts: 1,
    experimentId: 'e',
    trafficId: 't',
    endpoint: 'GET /a',
    request: { method: 'GET', path: '/a' },
    primary: { status: 200, body: { encoding: 'utf8', data: primaryBody, truncated: primaryTruncated }, latencyMs: 1 },
    candidate: { ok: true, response: { status: 200, body: { encoding: 'utf8', data: candidateBody }, latencyMs: 1 } },
  });

describe('clampEndpoint', () => {
  it('keeps a short endpoint and clamps a long one deterministically, distinct ones staying distinct', () => {
    expect(clampEndpoint('GET /a')).toBe('GET /a');
    const a = clampEndpoint(`GET /${'a'.repeat(3000)}`);
    const b = clampEndpoint(`GET /${'a'.repeat(2999)}b`);
    expect(a.length).toBeLessThanOrEqual(MAX_ENDPOINT_CHARS);
    expect(a).toBe(clampEndpoint(`GET /${'a'.repeat(3000)}`));
    expect(a).not.toBe(b);
  });
});

describe('checkReplayStatus', () => {
  it.each([99, 600, 999])('makes status %i a protocol error', (status) => {
    expect(checkReplayStatus({ ok: true, response: { status, headers: {}, latencyMs: 3 } })).toEqual({
      ok: false,
      error: { kind: 'protocol', message: expect.stringContaining(String(status)), latencyMs: 3 },
    });
  });

  it('keeps 100 through 599 and errors as they are', () => {
    const ok = { ok: true as const, response: { status: 599, headers: {}, latencyMs: 3 } };
    expect(checkReplayStatus(ok)).toBe(ok);
    const failed = { ok: false as const, error: { kind: 'timeout' as const, message: 'x' } };
    expect(checkReplayStatus(failed)).toBe(failed);
  });
});

describe('boundPair', () => {
  it('marks the sides a capture already truncated, leaving a small pair whole', () => {
    const r = boundPair(pair('{"a":', '{"a":1}', true));
    expect(r).toMatchObject({ ok: true, cut: false, pair: { truncated: ['primary'] } });
  });

  it('leaves an ordinary pair unmarked', () => {
    const r = boundPair(pair('{}', '{}'));
    expect(r.ok && r.pair.truncated).toBeUndefined();
  });

  it('cuts every body of an oversized pair to a prefix with the digest and length of the whole', () => {
    const big = 'x'.repeat(2000);
    const r = boundPair(pair(big, big), 3000, 100);
    if (!r.ok) throw new Error(r.reason);
    expect(r.cut).toBe(true);
    expect(truncatedSides(r.pair)).toEqual(['primary', 'candidate']);
    expect(r.pair.truncated).toEqual(['primary', 'candidate']);
    expect(r.pair.primary.body).toEqual({ encoding: 'utf8', data: 'x'.repeat(100), truncated: true, bytes: 2000, sha256: createHash('sha256').update(big).digest('hex') });
    expect(pairSchema.safeParse(r.pair).success).toBe(true);
  });

  it('says why when even the cut pair is over the bound', () => {
    expect(boundPair(pair('x'.repeat(2000), 'y'), 50, 10)).toMatchObject({ ok: false, reason: expect.stringContaining('over the 50 byte limit') });
  });
});

describe('cutBody', () => {
  it('keeps base64 bodies decodable and gives no digest for a body the capture had cut', () => {
    const data = Buffer.alloc(300, 7).toString('base64');
    const cut = cutBody({ encoding: 'base64', data, truncated: true }, 100);
    expect(Buffer.from(cut.data, 'base64')).toHaveLength(100);
    expect(cut.sha256).toBeUndefined();
  });
});
