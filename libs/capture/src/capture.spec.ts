import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type TrafficRecord } from '@penumbra/contracts';
import { type ProducerPort } from '@penumbra/kafka';
import { createMetricsRegistry, silentLogger } from '@penumbra/observability';
import { startHttpServer, waitFor } from '@penumbra/testing';
import { captureMiddleware } from './capture-middleware';
import { createCaptureProxy } from './capture-proxy';
import { CapturePublisher } from './capture-publisher';

async function listen(server: ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('capture proxy', () => {
  it('returns production answers untouched and offers a record of each exchange', async () => {
    const prod = await startHttpServer((req, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-prod': 'yes' });
      res.end(JSON.stringify({ echo: req.body, path: req.url }));
    });
    const offered: TrafficRecord[] = [];
    const proxy = createCaptureProxy({
      upstream: prod.url,
      service: 'orders',
      publisher: { offer: (r) => offered.push(r) },
      maxBodyBytes: 8,
      attributes: (req) => ({ tenant: String(req.headers['x-tenant']) }),
    });
    const url = await listen(proxy.server);
    try {
      const res = await fetch(`${url}/orders/7?x=1`, {
        method: 'POST',
        body: 'hello world',
        headers: { 'content-type': 'text/plain', 'x-tenant': 'acme', authorization: 'Bearer t' },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-prod')).toBe('yes');
      const body = await res.text();
      expect(JSON.parse(body)).toEqual({ echo: 'hello world', path: '/orders/7?x=1' });
      await waitFor(() => offered.length === 1);
      expect(offered[0]).toMatchObject({
        service: 'orders',
        request: {
          method: 'POST',
          path: '/orders/7',
          query: 'x=1',
          body: { encoding: 'utf8', data: 'hello wo', truncated: true },
          headers: { authorization: expect.stringMatching(/^hmac-sha256:[0-9a-f]{32}$/) },
        },
        response: { status: 201, headers: { 'x-prod': 'yes' }, body: { data: body.slice(0, 8), truncated: true } },
        attributes: { tenant: 'acme' },
      });
      expect(prod.requests[0]?.body).toBe('hello world');
    } finally {
      await proxy.close();
      await prod.close();
    }
  });

  it('answers 502 when production is down, and offers nothing', async () => {
    const prod = await startHttpServer();
    await prod.close();
    const offered: TrafficRecord[] = [];
    const proxy = createCaptureProxy({ upstream: prod.url, service: 's', publisher: { offer: (r) => offered.push(r) } });
    const url = await listen(proxy.server);
    try {
      expect((await fetch(`${url}/x`)).status).toBe(502);
      expect(offered).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

class StuckProducer implements ProducerPort {
  sends = 0;
  send(): Promise<void> {
    this.sends += 1;
    return new Promise(() => undefined);
  }
  async disconnect(): Promise<void> {}
}

describe('capture publisher', () => {
  it('never makes production wait on Kafka: past its buffer it drops and counts', async () => {
    const registry = createMetricsRegistry('capture', { defaultMetrics: false });
    const publisher = new CapturePublisher({ producer: new StuckProducer(), topic: 't', logger: silentLogger, registry, maxQueued: 5 });
    const prod = await startHttpServer((_req, res) => res.end('ok'));
    const proxy = createCaptureProxy({ upstream: prod.url, service: 's', publisher });
    const url = await listen(proxy.server);
    try {
      for (let i = 0; i < 20; i += 1) expect(await (await fetch(`${url}/r/${i}`)).text()).toBe('ok');
      await waitFor(async () => (await registry.getSingleMetricAsString('penumbra_capture_records_total')).includes('outcome="dropped"'));
      const text = await registry.getSingleMetricAsString('penumbra_capture_records_total');
      const dropped = Number(/outcome="dropped"[^}]*} (\d+)/.exec(text)?.[1]);
      expect(dropped).toBeGreaterThanOrEqual(10);
      expect(publisher.queued).toBeLessThanOrEqual(5);
    } finally {
      await proxy.close();
      await prod.close();
    }
  });
});

describe('capture middleware', () => {
  it('records what a plain Node HTTP server answers', async () => {
    const offered: TrafficRecord[] = [];
    const capture = captureMiddleware({ service: 'api', publisher: { offer: (r) => offered.push(r) } });
    const server = createServer((req, res) =>
      capture(req, res, () => {
        res.setHeader('content-type', 'application/json');
        res.write('{"a":');
        res.end('1}');
      }),
    );
    const url = await listen(server);
    try {
      expect(await (await fetch(`${url}/things/3`)).json()).toEqual({ a: 1 });
      await waitFor(() => offered.length === 1);
      expect(offered[0]).toMatchObject({ service: 'api', request: { method: 'GET', path: '/things/3' }, response: { status: 200, body: { data: '{"a":1}', truncated: false } } });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
