import { type ReplayResult, type TrafficRecord, experimentRecordSchema, experimentSpecSchema, trafficRecordSchema } from '@penumbra/contracts';
import { UnavailableError } from '@penumbra/errors';
import { type HttpReplayClient } from '@penumbra/http';
import { type ConsumedRecord, type OutgoingMessage, type ProducerPort } from '@penumbra/kafka';
import { createMetricsRegistry } from '@penumbra/observability';
import { ExperimentRegistry } from './experiment-registry';
import { MirrorEngine } from './mirror-engine';
import { MirrorMetrics } from './mirror-metrics';
import { BuiltPairs, trafficHandler } from './traffic-handler';

class CountingClient implements HttpReplayClient {
  sent = 0;
  status = 200;
  async send(): Promise<ReplayResult> {
    this.sent += 1;
    return { ok: true, response: { status: this.status, headers: {}, latencyMs: 1 } };
  }
  async close(): Promise<void> {}
}

class FlakyProducer implements ProducerPort {
  failures = 0;
  sent: OutgoingMessage[] = [];
  async send(messages: OutgoingMessage[]): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new UnavailableError('broker away');
    }
    this.sent.push(...messages);
  }
  async disconnect(): Promise<void> {}
}

function setup() {
  const registry = new ExperimentRegistry();
  const spec = experimentSpecSchema.parse({
    id: 'e',
    target: { service: 's' },
    shadow: { candidate: { baseUrl: 'http://candidate.internal:8080' } },
    policy: { stages: [{ name: 'x' }] },
  });
  registry.upsert(experimentRecordSchema.parse({ type: 'experiment.v1', id: '1', ts: 1, experimentId: 'e', actor: 'a', spec }));
  const client = new CountingClient();
  const engine = new MirrorEngine({ experiments: registry, client, metrics: new MirrorMetrics(createMetricsRegistry('m', { defaultMetrics: false })) });
  const producer = new FlakyProducer();
  return { client, producer, handler: trafficHandler(engine, producer, 'pairs') };
}

const consumed = (offset: number, path = '/a'): ConsumedRecord<TrafficRecord> => {
  const value = trafficRecordSchema.parse({ type: 'traffic.v1', id: `t${offset}`, ts: 1, service: 's', request: { method: 'GET', path }, response: { status: 200, latencyMs: 1 } });
  return {
    value,
    key: null,
    topic: 'traffic',
    partition: 0,
    offset: String(offset),
    timestamp: 1,
    headers: {},
    source: { topic: 'traffic', partition: 0, offset: String(offset), timestamp: '1', key: null, value: null, headers: {} },
  };
};

const context = { topic: 'traffic', partition: 0, signal: new AbortController().signal };

describe('trafficHandler', () => {
  it('replays each record once however often its batch is retried, and produces every pair once it succeeds', async () => {
    const { client, producer, handler } = setup();
    const records = Array.from({ length: 10 }, (_, i) => consumed(i));
    producer.failures = 2;
    await expect(handler(records, context)).rejects.toThrow('broker away');
    await expect(handler(records, context)).rejects.toThrow('broker away');
    await handler(records, context);
    expect(client.sent).toBe(10);
    expect(producer.sent.map((m) => m.key)).toEqual(records.map((r) => `e:t${r.offset}`));
  });

  it('replays again once the batch was made durable (a later delivery is a new batch)', async () => {
    const { client, handler } = setup();
    await handler([consumed(1)], context);
    await handler([consumed(1)], context);
    expect(client.sent).toBe(2);
  });

  it('keeps a batch with a very long path whole: every record replayed once and paired', async () => {
    const { client, producer, handler } = setup();
    const records = Array.from({ length: 10 }, (_, i) => consumed(i, i === 3 ? `/${'x'.repeat(2000)}` : '/a'));
    expect(await handler(records, context)).toBeUndefined();
    expect(client.sent).toBe(10);
    expect(producer.sent).toHaveLength(10);
  });

  it('pairs a candidate answering 600 with a protocol error on its side instead of failing the batch', async () => {
    const { client, producer, handler } = setup();
    client.status = 600;
    await handler(
      Array.from({ length: 10 }, (_, i) => consumed(i)),
      context,
    );
    expect(client.sent).toBe(10);
    expect(producer.sent.map((m) => JSON.parse(String(m.value)).candidate.error.kind)).toEqual(Array(10).fill('protocol'));
  });
});

describe('BuiltPairs', () => {
  it('forgets the oldest past its byte bound, never the one just added', () => {
    const built = new BuiltPairs(100);
    built.set('a', { messages: [], bytes: 60 });
    built.set('b', { messages: [], bytes: 60 });
    expect(built.get('a')).toBeUndefined();
    expect(built.get('b')).toBeDefined();
    built.set('c', { messages: [], bytes: 500 });
    expect(built.get('c')).toBeDefined();
    expect(built.size).toBe(1);
  });
});
