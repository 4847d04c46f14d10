import { type MetricObservation, metricObservationSchema } from '@penumbra/contracts';
import { silentLogger } from '@penumbra/observability';
import { BatchConsumer, type ConsumedRecord, encodeEvent } from '@penumbra/kafka';
import { waitFor } from '@penumbra/testing';
import { type TestKafka, createTestKafka } from './test-kafka';

jest.setTimeout(120_000);

const observation = (id: string): MetricObservation =>
  metricObservationSchema.parse({ type: 'metric.v1', id, ts: 1_700_000_000_000, experimentId: 'exp-1', name: 'precision', value: 0.5 });

describe('a record with 10,000 headers on the real broker', () => {
  let kafka: TestKafka;

  beforeAll(async () => {
    kafka = await createTestKafka('record-headers');
    await kafka.provision();
  });

  afterAll(async () => {
    await kafka.close();
  });

  it('is consumed with every header, and the record after it too', async () => {
    const topic = kafka.topics.metrics;
    const headers = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`x-h${i}`, `v${i}`]));
    await kafka.send([{ ...encodeEvent(metricObservationSchema, observation('many-headers'), topic, 'exp-1'), headers }]);
    await kafka.send([encodeEvent(metricObservationSchema, observation('probe'), topic, 'exp-1')]);

    const handled: ConsumedRecord<MetricObservation>[] = [];
    const consumer = new BatchConsumer({
      client: kafka.client,
      groupId: kafka.ns.groupId('many-headers'),
      topics: [{ topic, schema: metricObservationSchema }],
      deadLetterTopic: kafka.topics.dlq,
      deadLetters: kafka.producer,
      logger: silentLogger,
      handler: async (records) => {
        handled.push(...records);
      },
    });
    await consumer.start();
    try {
      await waitFor(() => handled.length >= 2, { what: 'the record with many headers and the probe after it' });
      expect(handled.map((r) => r.value.id)).toEqual(['many-headers', 'probe']);
      expect(Object.keys(handled[0]?.headers ?? {})).toHaveLength(10_000);
      expect(handled[0]?.headers['x-h9999']).toBe('v9999');
    } finally {
      await consumer.stop();
    }
  });
});
