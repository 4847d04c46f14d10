import { type ExperimentSpecInput, type ReplayResult, experimentRecordSchema, experimentSpecSchema, trafficRecordSchema } from '@penumbra/contracts';
import { type HttpReplayClient, type ReplayRequest } from '@penumbra/http';
import { createMetricsRegistry } from '@penumbra/observability';
import { ExperimentRegistry } from './experiment-registry';
import { MirrorEngine } from './mirror-engine';
import { MirrorMetrics } from './mirror-metrics';

class FakeClient implements HttpReplayClient {
  sent: Array<{ origin: string; request: ReplayRequest }> = [];
  delayMs = 0;
  async send(origin: string, request: ReplayRequest): Promise<ReplayResult> {
    this.sent.push({ origin, request });
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    return { ok: true, response: { status: 200, headers: {}, latencyMs: 1 } };
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
  const engine = new MirrorEngine({ experiments: registry, client, metrics: new MirrorMetrics(createMetricsRegistry('m', { defaultMetrics: false })) });
  return { engine, client };
}

const record = (id: string, over: { path?: string; method?: 'GET' | 'POST'; body?: string; service?: string } = {}) =>
  trafficRecordSchema.parse({
    type: 'traffic.v1',
    id,
    ts: 1,
    service: over.service ?? 's',
    request: { method: over.method ?? 'GET', path: over.path ?? '/a', ...(over.body ? { body: { encoding: 'utf8', data: over.body } } : {}) },
    response: { status: 200, latencyMs: 1 },
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
    expect(await engine.process(r)).toEqual([{ kind: 'skipped', experimentId: 'e', reason }]);
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
