import { type Alert, alertSchema, metricObservationSchema } from '@penumbra/contracts';
import { BatchConsumer } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { waitFor } from '@penumbra/testing';
import { type TestKafka, createTestKafka } from './test-kafka';

jest.setTimeout(120_000);

describe('dlq-spike alert on the real broker', () => {
  let kafka: TestKafka;

  beforeAll(async () => {
    kafka = await createTestKafka('dlq-spike');
    await kafka.provision();
  });

  afterAll(async () => {
    await kafka.close();
  });

  const count = async (topic: string) => Number((await kafka.admin.topicOffsets(topic))[0]?.high ?? '0');

  it('raises one dlq-spike alert when a consumer dead-letters past the threshold within the window', async () => {
    const topic = kafka.topics.metrics;
    const handled: string[] = [];
    const consumer = new BatchConsumer({
      client: kafka.client,
      groupId: kafka.ns.groupId('dlq-spike'),
      topics: [{ topic, schema: metricObservationSchema }],
      deadLetterTopic: kafka.topics.dlq,
      deadLetters: kafka.producer,
      alertTopic: kafka.topics.alerts,
      deadLetterSpike: { threshold: 5, windowMs: 600_000 },
      logger: silentLogger,
      handler: async (records) => void handled.push(...records.map((r) => r.value.id)),
    });
    await consumer.start();
    try {
      await kafka.send(Array.from({ length: 4 }, (_, i) => ({ topic, key: 'e', value: `not json ${i}` })));
      await waitFor(async () => (await count(kafka.topics.dlq)) >= 4, { what: 'four dead letters' });
      expect(await count(kafka.topics.alerts)).toBe(0);

      await kafka.send(Array.from({ length: 8 }, (_, i) => ({ topic, key: 'e', value: `still not json ${i}` })));
      await waitFor(async () => (await count(kafka.topics.dlq)) >= 12, { what: 'twelve dead letters' });
      // The alert is produced after the dead letters of its batch are acknowledged, so it may land a moment later.
      await waitFor(async () => (await count(kafka.topics.alerts)) >= 1, { what: 'the dlq-spike alert' });
      const alerts: Alert[] = (await kafka.readAll(kafka.topics.alerts, await count(kafka.topics.alerts))).map((r) => alertSchema.parse(JSON.parse(r.value!.toString())));
      expect(alerts).toEqual([expect.objectContaining({ kind: 'dlq-spike', source: kafka.ns.groupId('dlq-spike'), details: expect.objectContaining({ topic, threshold: 5 }) })]);
      expect(handled).toEqual([]);
    } finally {
      await consumer.stop();
    }
  });
});
