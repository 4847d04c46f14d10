import { type ReplayResult, experimentRecordSchema, experimentSpecSchema, pairSchema, trafficRecordSchema } from '@penumbra/contracts';
import { type HttpReplayClient, type ReplayRequest } from '@penumbra/http';
import { encodeEvent, decodeRecord } from '@penumbra/kafka';
import { type TestKafka, createTestKafka } from '@penumbra/kafka-testing';
import { createMetricsRegistry, silentLogger } from '@penumbra/observability';
import { ExperimentRegistry } from './experiment-registry';
import { MirrorEngine } from './mirror-engine';
import { MirrorMetrics } from './mirror-metrics';
import { planReplay, runReplay } from './replay-run';

class EchoClient implements HttpReplayClient {
  sent: string[] = [];
  async send(origin: string, request: ReplayRequest): Promise<ReplayResult> {
    this.sent.push(`${origin}${request.pathAndQuery}`);
    return { ok: true, response: { status: 200, headers: {}, latencyMs: 1 } };
  }
  async close(): Promise<void> {}
}

const traffic = (id: string) =>
  trafficRecordSchema.parse({ type: 'traffic.v1', id, ts: Date.now(), service: 's', request: { method: 'GET', path: `/items/${id}` }, response: { status: 200, latencyMs: 1 } });

describe('runReplay on the broker', () => {
  let kafka: TestKafka;
  beforeAll(async () => {
    kafka = await createTestKafka('replay-run');
    await kafka.provision();
  }, 120_000);
  afterAll(async () => {
    await kafka?.close();
  });

  it('replays exactly the records captured in the window, under its own group, as marked pairs', async () => {
    const send = (ids: string[]) => kafka.send(ids.map((id) => encodeEvent(trafficRecordSchema, traffic(id), kafka.topics.traffic, id)));
    await send(['before1', 'before2']);
    await new Promise((r) => setTimeout(r, 50));
    const from = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await send(['in1', 'in2', 'in3']);
    const window = { from, to: Date.now() + 1 };

    const registry = new ExperimentRegistry();
    const spec = experimentSpecSchema.parse({
      id: 'e',
      target: { service: 's' },
      shadow: { candidate: { baseUrl: 'http://candidate.example.com' }, secondary: { baseUrl: 'http://secondary.example.com' } },
      policy: { stages: [{ name: 'x' }] },
    });
    registry.upsert(experimentRecordSchema.parse({ type: 'experiment.v1', id: '1', ts: 1, experimentId: 'e', actor: 'a', spec }));
    const client = new EchoClient();
    const engine = new MirrorEngine({
      experiments: registry,
      client,
      metrics: new MirrorMetrics(createMetricsRegistry('m', { defaultMetrics: false })),
      replay: { experimentId: 'e', run: 'int-1', kind: 'retained' },
    });
    const ranges = await planReplay(kafka.admin, kafka.topics.traffic, window);
    const result = await runReplay({
      client: kafka.client,
      admin: kafka.admin,
      trafficTopic: kafka.topics.traffic,
      pairsTopic: kafka.topics.pairs,
      deadLetterTopic: kafka.topics.dlq,
      groupId: `${kafka.ns.id}.replay`,
      ranges,
      window,
      pace: { kind: 'caps' },
      engine,
      producer: kafka.producer,
      logger: silentLogger,
      pollMs: 100,
    });
    expect(result).toEqual({ done: 3, total: 3 });
    const pairs = (await kafka.readAll(kafka.topics.pairs, 3)).map((r) => {
      const decoded = decodeRecord(r.value, pairSchema);
      if (!decoded.ok) throw new Error('a pair did not decode');
      return decoded.value;
    });
    expect(pairs.map((p) => p.id).sort()).toEqual(['e:in1#replay', 'e:in2#replay', 'e:in3#replay']);
    expect(pairs.every((p) => p.replay?.run === 'int-1')).toBe(true);
    expect(client.sent.filter((s) => s.includes('before'))).toEqual([]);
  }, 120_000);
});
