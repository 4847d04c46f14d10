import { type ExperimentSpecInput, type ReplayResult, experimentRecordSchema, experimentSpecSchema, trafficRecordSchema } from '@penumbra/contracts';
import { type HttpReplayClient, type ReplayRequest, UnsendableRequestError } from '@penumbra/http';
import { createMetricsRegistry } from '@penumbra/observability';
import { ExperimentRegistry } from './experiment-registry';
import { MirrorCounts } from './mirror-counts';
import { MirrorEngine } from './mirror-engine';
import { MirrorMetrics } from './mirror-metrics';

class FakeClient implements HttpReplayClient {
  sent: Array<{ origin: string; request: ReplayRequest }> = [];
  delayMs = 0;
  answer: (request: ReplayRequest) => ReplayResult = () => ({ ok: true, response: { status: 200, headers: {}, latencyMs: 1 } });
  async send(origin: string, request: ReplayRequest): Promise<ReplayResult> {
    this.sent.push({ origin, request });
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    return this.answer(request);
  }
  async close(): Promise<void> {}
}

function setup(shadow: Partial<ExperimentSpecInput['shadow']> = {}) {
  const registry = new ExperimentRegistry();
  const spec = experimentSpecSchema.parse({
    id: 'e',
    target: { service: 's' },
    shadow: { candidate: { baseUrl: 'http://candidate.internal:8080/v2' }, ...shadow },
    policy: { stages: [{ name: 'x' }] },
  });
  registry.upsert(experimentRecordSchema.parse({ type: 'experiment.v1', id: '1', ts: 1, experimentId: 'e', actor: 'a', spec }));
  const client = new FakeClient();
  const counts = new MirrorCounts('test');
  const engine = new MirrorEngine({ experiments: registry, client, counts, metrics: new MirrorMetrics(createMetricsRegistry('m', { defaultMetrics: false })) });
  return { engine, client, counts };
}

const record = (id: string, over: { path?: string; method?: 'GET' | 'POST'; body?: string; service?: string; headers?: Record<string, string>; responseBody?: string } = {}) =>
  trafficRecordSchema.parse({
    type: 'traffic.v1',
    id,
    ts: 1,
    service: over.service ?? 's',
    request: { method: over.method ?? 'GET', path: over.path ?? '/a', headers: over.headers ?? {}, ...(over.body ? { body: { encoding: 'utf8', data: over.body } } : {}) },
    response: { status: 200, latencyMs: 1, ...(over.responseBody ? { body: { encoding: 'utf8', data: over.responseBody } } : {}) },
  });

describe('MirrorEngine', () => {
  it('replays below the base path of the candidate and builds the pair', async () => {
    const { engine, client } = setup({ secondary: { baseUrl: 'http://secondary.internal:8080' } });
    const [out] = await engine.process(record('r1', { path: '/orders/42' }));
    expect(client.sent.map((s) => `${s.origin}${s.request.pathAndQuery}`).sort()).toEqual([
      'http://candidate.internal:8080/v2/orders/42',
      'http://secondary.internal:8080/orders/42',
    ]);
    expect(out).toMatchObject({ kind: 'pair', pair: { id: 'e:r1', endpoint: 'GET /orders/:id', secondary: { ok: true } } });
  });

  it('ignores records outside the target', async () => {
    const { engine, client } = setup();
    expect(await engine.process(record('r1', { service: 'other' }))).toEqual([]);
    expect(client.sent).toEqual([]);
  });

  it.each([
    ['method-not-allowed', record('r', { method: 'POST' })],
    ['unsafe-path', record('r', { path: '/a/../b' })],
    ['request-too-large', record('r', { body: 'x'.repeat(2000) })],
  ])('skips as %s', async (reason, r) => {
    const { engine, client } = setup({ maxRequestBytes: 1000 });
    expect(await engine.process(r)).toEqual([expect.objectContaining({ kind: 'skipped', experimentId: 'e', reason })]);
    expect(client.sent).toEqual([]);
  });

  it('skips past the rate cap in skip mode', async () => {
    const { engine } = setup({ rateLimitPerSec: 3 });
    const outs = (await Promise.all(Array.from({ length: 5 }, (_, i) => engine.process(record(`r${i}`))))).flat();
    expect(outs.filter((o) => o.kind === 'skipped').map((o) => (o.kind === 'skipped' ? o.reason : ''))).toEqual(['rate-limit', 'rate-limit']);
  });

  it('skips as overload when a slow candidate holds every slot past the wait', async () => {
    const { engine, client } = setup({ maxInFlight: 2, rateLimitPerSec: 1000 });
    client.delayMs = 400;
    const outs = (await Promise.all(Array.from({ length: 4 }, (_, i) => engine.process(record(`r${i}`))))).flat();
    expect(outs.filter((o) => o.kind === 'pair')).toHaveLength(2);
    expect(outs.filter((o) => o.kind === 'skipped' && o.reason === 'overload')).toHaveLength(2);
  });

  it('paces a burst through a fast candidate instead of dropping it', async () => {
    const { engine, client } = setup({ maxInFlight: 2, rateLimitPerSec: 1000 });
    client.delayMs = 5;
    const outs = (await Promise.all(Array.from({ length: 20 }, (_, i) => engine.process(record(`r${i}`))))).flat();
    expect(outs.every((o) => o.kind === 'pair')).toBe(true);
  });

  it('waits instead of skipping when the experiment chooses backpressure', async () => {
    const { engine, client } = setup({ maxInFlight: 1, rateLimitPerSec: 1000, onOverload: 'backpressure', timeoutMs: 1000 });
    client.delayMs = 300;
    const outs = (await Promise.all(Array.from({ length: 3 }, (_, i) => engine.process(record(`r${i}`))))).flat();
    expect(outs.every((o) => o.kind === 'pair')).toBe(true);
  });

  it('turns a status outside 100-599 into a protocol error on the candidate side', async () => {
    const { engine, client } = setup();
    client.answer = () => ({ ok: true, response: { status: 600, headers: {}, latencyMs: 2 } });
    const [out] = await engine.process(record('r1'));
    expect(out).toMatchObject({ kind: 'pair', pair: { candidate: { ok: false, error: { kind: 'protocol', latencyMs: 2 } } } });
  });

  it('clamps the endpoint of a very long path so the pair stays valid', async () => {
    const { engine, client } = setup();
    const [out] = await engine.process(record('r1', { path: `/${'a'.repeat(5000)}` }));
    expect(client.sent).toHaveLength(1);
    expect(out?.kind).toBe('pair');
    expect(out?.kind === 'pair' ? out.pair.endpoint.length : 0).toBeLessThanOrEqual(1024);
  });

  it('cuts the bodies of a pair too large for one message to a prefix and a digest, and marks them', async () => {
    const { engine, client } = setup({ maxResponseBytes: 5 * 1024 * 1024 });
    client.answer = () => ({ ok: true, response: { status: 200, headers: {}, body: { encoding: 'utf8', data: 'c'.repeat(700_000), truncated: false }, latencyMs: 1 } });
    const [out] = await engine.process(record('r1', { responseBody: 'p'.repeat(700_000) }));
    if (out?.kind !== 'pair') throw new Error(`expected a pair, got ${JSON.stringify(out)}`);
    expect(out.pair.truncated).toEqual(['primary', 'candidate']);
    expect(out.pair.candidate).toMatchObject({ ok: true, response: { body: { truncated: true, bytes: 700_000, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } } });
    expect(Buffer.byteLength(JSON.stringify(out.pair))).toBeLessThan(1024 * 1024);
  });

  it('percent-encodes a non-Latin-1 path instead of failing the request', async () => {
    const { engine, client } = setup();
    const [out] = await engine.process(record('r1', { path: '/caf\u00e9/\u65e5' }));
    expect(out?.kind).toBe('pair');
    expect(client.sent[0]?.request.pathAndQuery).toBe('/v2/caf%C3%A9/%E6%97%A5');
  });

  it('skips a record whose header value HTTP cannot carry, and never sends it', async () => {
    const { engine, client } = setup();
    const outs = await engine.process(record('r1', { headers: { 'x-note': 'a\r\nx-injected: 1' } }));
    expect(outs).toEqual([{ kind: 'skipped', experimentId: 'e', reason: 'unsendable-header', detail: expect.stringContaining('x-note') }]);
    expect(client.sent).toEqual([]);
  });

  it('skips a request the client could not send, rather than blaming the candidate', async () => {
    const { engine, client } = setup();
    client.answer = () => {
      throw new UnsendableRequestError('invalid request');
    };
    expect(await engine.process(record('r1'))).toEqual([{ kind: 'skipped', experimentId: 'e', reason: 'unsendable-request', detail: expect.stringContaining('invalid request') }]);
  });

  it('paces a backlog far larger than the in-flight cap through a healthy candidate without overload', async () => {
    const { engine, client } = setup({ maxInFlight: 4, rateLimitPerSec: 1_000_000 });
    client.delayMs = 2;
    const outs = (await Promise.all(Array.from({ length: 600 }, (_, i) => engine.process(record(`r${i}`))))).flat();
    expect(outs.filter((o) => o.kind === 'skipped')).toEqual([]);
    expect(client.sent).toHaveLength(600);
  });

  it('heartbeats while a record waits for a slot', async () => {
    const { engine, client } = setup({ maxInFlight: 1, rateLimitPerSec: 1000, onOverload: 'backpressure', timeoutMs: 1000 });
    client.delayMs = 200;
    let beats = 0;
    const heartbeat = async () => {
      beats += 1;
    };
    const outs = (await Promise.all(Array.from({ length: 2 }, (_, i) => engine.process(record(`r${i}`), { heartbeat })))).flat();
    expect(outs.every((o) => o.kind === 'pair')).toBe(true);
    expect(beats).toBeGreaterThan(0);
  });

  it('counts every record in the target as mirrored or skipped, by reason', async () => {
    const { engine, counts } = setup();
    await engine.process(record('r1'));
    await engine.process(record('r2', { path: '/a/../b' }));
    await engine.process(record('r3', { method: 'POST' }));
    const drained = Object.fromEntries(counts.drain(1).map((o) => [o.name, o.value]));
    expect(drained).toMatchObject({ mirror_matched: 3, mirror_mirrored: 1, mirror_skipped: 2, 'mirror_skipped_unsafe-path': 1, 'mirror_skipped_method-not-allowed': 1 });
  });
});

describe('MirrorEngine and credentials', () => {
  it('replays the query as captured but writes the pair with its secrets and set-cookie hashed', async () => {
    const { engine, client } = setup();
    client.send = async (origin, request) => {
      client.sent.push({ origin, request });
      return { ok: true, response: { status: 200, headers: { 'set-cookie': 'sid=cookie-secret' }, latencyMs: 1 } };
    };
    const traffic = trafficRecordSchema.parse({ ...record('r1'), request: { method: 'GET', path: '/a', query: 'access_token=query-secret' } });
    const [out] = await engine.process(traffic);
    expect(client.sent[0]?.request.pathAndQuery).toBe('/v2/a?access_token=query-secret');
    expect(out?.kind).toBe('pair');
    const written = JSON.stringify(out);
    expect(written).not.toContain('query-secret');
    expect(written).not.toContain('cookie-secret');
    expect(written).toContain('access_token=hmac-sha256:');
  });
});
