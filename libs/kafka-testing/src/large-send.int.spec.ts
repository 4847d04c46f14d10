import { createTransactionalKafka } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { type TestKafka, createTestKafka } from './test-kafka';

jest.setTimeout(120_000);

/** 1,500 records of 1 KiB to one partition: about 1.5 MiB, over the broker's 1 MiB per record batch. */
const records = (topic: string, tag: string) => Array.from({ length: 1_500 }, (_, i) => ({ topic, key: 'one-key', value: `${tag}${i}:${'x'.repeat(1024)}` }));

describe('a send larger than one record batch on the real broker', () => {
  let kafka: TestKafka;

  beforeAll(async () => {
    kafka = await createTestKafka('large-send');
    await kafka.provision();
  });

  afterAll(async () => {
    await kafka.close();
  });

  it('is produced whole, in order, by the plain producer', async () => {
    const topic = kafka.topics.diffs;
    await kafka.send(records(topic, 'p'));
    const read = await kafka.readAll(topic, 1_500, 60_000);
    expect(read.map((r) => r.value?.toString().split(':')[0])).toEqual(records(topic, 'p').map((m) => m.value.split(':')[0]));
  });

  it('is produced whole by the transactional producer', async () => {
    const topic = kafka.topics.commands;
    const client = createTransactionalKafka({ brokers: kafka.brokers, clientId: `${kafka.ns.id}-large`, connectionTimeoutMs: 10_000, ssl: false, sasl: null }, silentLogger);
    const producer = await client.transactionalProducer({ transactionalId: `${kafka.ns.id}-large-send` });
    try {
      await producer.begin();
      await producer.send(records(topic, 't'));
      await producer.commit();
    } finally {
      await producer.disconnect();
    }
    expect((await kafka.readAll(topic, 1_500, 60_000)).length).toBe(1_500);
  });
});
