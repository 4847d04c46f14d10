import { type ReplayResult, experimentRecordSchema, experimentSpecSchema, trafficRecordSchema } from '@penumbra/contracts';
import { type HttpReplayClient, type ReplayRequest } from '@penumbra/http';
import { createMetricsRegistry } from '@penumbra/observability';
import { ExperimentRegistry } from './experiment-registry';
import { MirrorEngine } from './mirror-engine';
import { MirrorMetrics } from './mirror-metrics';

/** Answers by origin; the secondary's answers come in turn from `secondaryAnswers`. */
class ScriptedClient implements HttpReplayClient {
  sent: string[] = [];
  secondaryAnswers: ReplayResult[] = [];
  async send(origin: string, request: ReplayRequest): Promise<ReplayResult> {
    this.sent.push(`${origin}${request.pathAndQuery}`);
    if (origin.includes('candidate')) return { ok: true, response: { status: 200, headers: {}, body: { encoding: 'utf8', data: '{"v":2}', truncated: false }, latencyMs: 3 } };
    return this.secondaryAnswers.shift() ?? { ok: true, response: { status: 200, headers: {}, body: { encoding: 'utf8', data: '{"v":1}', truncated: false }, latencyMs: 2 } };
  }
  async close(): Promise<void> {}
}

function setup(withSecondary = true, experiments = ['e']) {
  const registry = new ExperimentRegistry();
  for (const id of experiments) {
    const spec = experimentSpecSchema.parse({
      id,
      target: { service: 's' },
      shadow: { candidate: { baseUrl: 'http://candidate.internal:8080' }, ...(withSecondary ? { secondary: { baseUrl: 'http://secondary.internal:8080' } } : {}) },
      policy: { stages: [{ name: 'x' }] },
    });
    registry.upsert(experimentRecordSchema.parse({ type: 'experiment.v1', id: '1', ts: 1, experimentId: id, actor: 'a', spec }));
  }
  const client = new ScriptedClient();
  const engine = new MirrorEngine({
    experiments: registry,
    client,
    metrics: new MirrorMetrics(createMetricsRegistry('m', { defaultMetrics: false })),
    clock: () => 5_000,
    replay: { experimentId: 'e', run: 'run-1', kind: 'retained' },
  });
  return { engine, client };
}

const captured = trafficRecordSchema.parse({
  type: 'traffic.v1',
  id: 't1',
  ts: 1_000,
  service: 's',
  request: { method: 'GET', path: '/a' },
  response: { status: 500, latencyMs: 900, body: { encoding: 'utf8', data: 'stale' } },
});

describe('MirrorEngine replaying retained traffic', () => {
  it('asks the reference first and the candidate and the secondary only once it answered, so both are as far from it in time', async () => {
    const { engine, client } = setup();
    const [out] = await engine.process(captured);
    expect(out?.kind).toBe('pair');
    expect(client.sent[0]).toBe('http://secondary.internal:8080/a');
    expect(client.sent.slice(1).sort()).toEqual(['http://candidate.internal:8080/a', 'http://secondary.internal:8080/a']);
  });

  it('asks nothing more when the reference fails', async () => {
    const { engine, client } = setup();
    client.secondaryAnswers = [{ ok: false, error: { kind: 'timeout', message: 'no answer' } }];
    const [out] = await engine.process(captured);
    expect(out).toMatchObject({ kind: 'skipped', reason: 'reference-failed' });
    expect(client.sent).toEqual(['http://secondary.internal:8080/a']);
  });

  it('asks the secondary twice and puts its first answer in the primary place, never the stale capture', async () => {
    const { engine, client } = setup();
    client.secondaryAnswers = [
      { ok: true, response: { status: 200, headers: {}, body: { encoding: 'utf8', data: '{"v":1}', truncated: false }, latencyMs: 2 } },
      { ok: true, response: { status: 200, headers: {}, body: { encoding: 'utf8', data: '{"v":1,"n":1}', truncated: false }, latencyMs: 4 } },
    ];
    const [out] = await engine.process(captured);
    expect(client.sent.sort()).toEqual(['http://candidate.internal:8080/a', 'http://secondary.internal:8080/a', 'http://secondary.internal:8080/a']);
    if (out?.kind !== 'pair') throw new Error(`expected a pair, got ${JSON.stringify(out)}`);
    expect(out.pair.id).toBe('e:t1#replay');
    expect(out.pair.replay).toEqual({ run: 'run-1', kind: 'retained', capturedAt: 1_000 });
    expect(out.pair.ts).toBe(5_000);
    expect(out.pair.primary.status).toBe(200);
    expect(out.pair.primary.body?.data).toBe('{"v":1}');
    expect(out.pair.secondary).toMatchObject({ ok: true });
    // The reference answered alone; latency is compared with the secondary asked beside the candidate.
    expect(out.pair.primary.latencyMs).toBe(4);
  });

  it('skips a record whose reference answer failed: there is nothing sound to compare with', async () => {
    const { engine, client } = setup();
    const failing: ReplayResult = { ok: false, error: { kind: 'timeout', message: 'slow' } };
    client.secondaryAnswers = [failing, failing];
    const [out] = await engine.process(captured);
    expect(out).toMatchObject({ kind: 'skipped', reason: 'reference-failed' });
  });

  it('refuses an experiment without a secondary', async () => {
    const { engine, client } = setup(false);
    expect(await engine.process(captured)).toEqual([expect.objectContaining({ kind: 'skipped', reason: 'no-secondary' })]);
    expect(client.sent).toEqual([]);
  });

  it('replays only to the experiment it was started for', async () => {
    const { engine } = setup(true, ['e', 'other']);
    const outs = await engine.process(captured);
    expect(outs.map((o) => (o.kind === 'pair' ? o.pair.experimentId : o.experimentId))).toEqual(['e']);
  });
});
