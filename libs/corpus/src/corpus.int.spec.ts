import { type CorpusEntry, trafficRecordSchema } from '@penumbra/contracts';
import { createTransactionalKafka, encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka } from '@penumbra/kafka-testing';
import { silentLogger } from '@penumbra/observability';
import { corpusMessage, pruneCorpus, readCorpus } from './corpus-store';
import { findTraffic } from './traffic-lookup';

jest.setTimeout(120_000);

const traffic = (id: string) =>
  trafficRecordSchema.parse({ type: 'traffic.v1', id, ts: Date.now(), service: 's', request: { method: 'GET', path: `/items/${id}` }, response: { status: 200, latencyMs: 1 } });

const entry = (path: string, ids: string[]): CorpusEntry => ({
  type: 'corpus.v1',
  service: 's',
  endpoint: 'GET /items/:id',
  path,
  reason: 'rollback',
  experimentId: 'e',
  savedAt: 1,
  requests: ids.map((id) => ({ trafficId: id, capturedAt: 1, request: { method: 'GET', path: '/items/1', query: '', headers: {} }, attributes: {} })),
});

describe('the corpus on the real broker', () => {
  let kafka: TestKafka;
  const log = () => createTransactionalKafka({ brokers: kafka.brokers, clientId: `${kafka.ns.id}-corpus`, connectionTimeoutMs: 10_000, ssl: false, sasl: null }, silentLogger);

  beforeAll(async () => {
    kafka = await createTestKafka('corpus');
    await kafka.provision({ traffic: { partitions: 2 } });
  });

  afterAll(async () => {
    await kafka?.close();
  });

  it('finds captured requests by id among those captured in a window, and none outside it', async () => {
    await kafka.send(['before-1', 'before-2'].map((id) => encodeEvent(trafficRecordSchema, traffic(id), kafka.topics.traffic, id)));
    await new Promise((r) => setTimeout(r, 50));
    const from = Date.now();
    await kafka.send(['in-1', 'in-2', 'in-3'].map((id) => encodeEvent(trafficRecordSchema, traffic(id), kafka.topics.traffic, id)));
    await kafka.send([{ topic: kafka.topics.traffic, key: 'junk', value: 'not json' }]);
    await new Promise((r) => setTimeout(r, 50));
    const to = Date.now();
    await kafka.send([encodeEvent(trafficRecordSchema, traffic('after-1'), kafka.topics.traffic, 'after-1')]);
    const found = await findTraffic({ admin: kafka.admin, kafka: log(), topic: kafka.topics.traffic, maxScan: 1000 }, new Set(['before-1', 'in-1', 'in-3', 'after-1', 'junk']), {
      from,
      to,
    });
    expect([...found.keys()].sort()).toEqual(['in-1', 'in-3']);
    expect(found.get('in-1')?.request.path).toBe('/items/in-1');
  });

  it('reads the latest record per key, forgets a pruned key, and ignores a value under another key', async () => {
    await kafka.send([
      corpusMessage(kafka.topics.corpus, entry('$.a', ['t1'])),
      corpusMessage(kafka.topics.corpus, entry('$.b', ['t2'])),
      corpusMessage(kafka.topics.corpus, entry('$.a', ['t3'])),
    ]);
    await kafka.send([{ ...corpusMessage(kafka.topics.corpus, entry('$.c', ['forged'])), key: JSON.stringify(['s', 'GET /items/:id', '$.b']) }]);
    let corpus = await readCorpus(log(), kafka.topics.corpus);
    expect([...corpus.values()].map((e) => [e.path, e.requests[0]?.trafficId]).sort()).toEqual([
      ['$.a', 't3'],
      ['$.b', 't2'],
    ]);
    await pruneCorpus(kafka.producer, kafka.topics.corpus, [JSON.stringify(['s', 'GET /items/:id', '$.a'])]);
    corpus = await readCorpus(log(), kafka.topics.corpus);
    expect([...corpus.values()].map((e) => e.path)).toEqual(['$.b']);
  });
});
