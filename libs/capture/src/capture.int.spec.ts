import { type AddressInfo } from 'node:net';
import { trafficRecordSchema } from '@penumbra/contracts';
import { type TestKafka, createTestKafka } from '@penumbra/kafka-testing';
import { createMetricsRegistry, silentLogger } from '@penumbra/observability';
import { startHttpServer } from '@penumbra/testing';
import { createCaptureProxy } from './capture-proxy';
import { CapturePublisher } from './capture-publisher';

jest.setTimeout(120_000);

describe('capture proxy publishing to the real broker', () => {
  let kafka: TestKafka;

  beforeAll(async () => {
    kafka = await createTestKafka('capture');
    await kafka.provision();
  });

  afterAll(async () => {
    await kafka.close();
  });

  it('publishes one valid TrafficRecord per proxied exchange', async () => {
    const prod = await startHttpServer((req, res) => res.end(JSON.stringify({ path: req.url })));
    const publisher = new CapturePublisher({
      producer: kafka.producer,
      topic: kafka.topics.traffic,
      logger: silentLogger,
      registry: createMetricsRegistry('c', { defaultMetrics: false }),
    });
    const proxy = createCaptureProxy({ upstream: prod.url, service: 'orders', publisher });
    await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    try {
      for (let i = 0; i < 10; i += 1) await (await fetch(`${url}/orders/${i}`)).text();
      await publisher.close();
      const records = (await kafka.readAll(kafka.topics.traffic, 10)).map((r) => trafficRecordSchema.parse(JSON.parse(r.value!.toString())));
      expect(records.map((r) => r.request.path).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `/orders/${i}`).sort());
      expect(records.every((r) => r.service === 'orders' && r.response.status === 200)).toBe(true);
    } finally {
      await proxy.close();
      await prod.close();
    }
  });
});
