import { type Pair, pairSchema } from '@penumbra/contracts';
import { parseEnv, serviceEnvSchemas } from '@penumbra/config';
import { type TestKafka, createTestKafka, publishExperiments, publishTraffic, trafficRecord } from '@penumbra/kafka-testing';
import { type INestApplication } from '@nestjs/common';
import { startService } from '@penumbra/service-kit';
import { isSampled } from '@penumbra/mirror-core';
import { type TestHttpServer, startHttpServer } from '@penumbra/testing';
import { MirrorModule } from './mirror.module';
import { TrafficHandler } from './traffic.handler';

jest.setTimeout(180_000);

describe('traffic-mirror on the real broker with real HTTP servers', () => {
  let kafka: TestKafka;
  let candidate: TestHttpServer;
  let secondary: TestHttpServer;
  let trap: TestHttpServer;
  let failing: TestHttpServer;
  let slow: TestHttpServer;
  let closedPort: number;
  let mirror: INestApplication | undefined;
  let pairs: Pair[];

  const base = (id: string, service: string) => ({
    id,
    target: { service },
    shadow: { candidate: { baseUrl: candidate.url } },
    policy: { stages: [{ name: 'shadow', mode: 'observe' as const }] },
  });

  beforeAll(async () => {
    kafka = await createTestKafka('mirror');
    await kafka.provision();
    trap = await startHttpServer();
    candidate = await startHttpServer((req, res) => {
      if (req.url === '/redirect-me') res.writeHead(302, { location: `${trap.url}/stolen` });
      res.end('{"ok":true}');
    });
    secondary = await startHttpServer((_req, res) => res.end('{"ok":true}'));
    failing = await startHttpServer((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    slow = await startHttpServer(() => undefined);
    const closed = await startHttpServer();
    closedPort = closed.port;
    await closed.close();

    await publishExperiments(kafka, [
      { ...base('rate', 'rate-svc'), shadow: { candidate: { baseUrl: candidate.url }, sampleRate: 0.3, rateLimitPerSec: 100_000, maxInFlight: 256 } },
      {
        ...base('tenant', 'tenant-svc'),
        shadow: { candidate: { baseUrl: candidate.url }, sampleRate: 0.5, rateLimitPerSec: 10_000, samplingKey: { source: 'attribute', name: 'tenant' } },
        slices: { attributes: ['tenant'] },
      },
      base('safe-only', 'method-svc'),
      { ...base('writes-too', 'method-svc'), shadow: { candidate: { baseUrl: candidate.url }, allowedMethods: ['GET', 'POST'] } },
      { ...base('creds', 'auth-svc'), shadow: { candidate: { baseUrl: candidate.url }, secondary: { baseUrl: secondary.url } } },
      base('hostile', 'hostile-svc'),
      { ...base('err-500', 'err-svc'), shadow: { candidate: { baseUrl: failing.url } } },
      { ...base('err-timeout', 'err-svc'), shadow: { candidate: { baseUrl: slow.url }, timeoutMs: 300 } },
      { ...base('err-refused', 'err-svc'), shadow: { candidate: { baseUrl: `http://127.0.0.1:${closedPort}` } } },
    ]);
    const env = parseEnv(serviceEnvSchemas['traffic-mirror'], {
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
      MIRROR_ALLOWED_TARGETS: '127.0.0.1/32',
      LOG_LEVEL: 'error',
      MIRROR_START_FROM: 'earliest',
    });
    mirror = await startService('traffic-mirror', env, MirrorModule);
    expect(mirror.get(TrafficHandler).experimentIds()).toHaveLength(9);

    const trapHost = `127.0.0.1:${trap.port}`;
    await publishTraffic(kafka, [
      ...Array.from({ length: 2000 }, (_, i) => trafficRecord(`rate-${i}`, { service: 'rate-svc' })),
      ...Array.from({ length: 200 }, (_, i) => trafficRecord(`tenant-${i}`, { service: 'tenant-svc', attributes: { tenant: `t${i % 10}` } })),
      trafficRecord('m-get', { service: 'method-svc' }),
      trafficRecord('m-post', { service: 'method-svc', method: 'POST', body: '{"charge":10}' }),
      trafficRecord('a-1', { service: 'auth-svc', headers: { authorization: 'Bearer prod-secret', cookie: 'sid=1', 'x-trace': 't1' } }),
      ...[
        { path: `http://${trapHost}/steal` },
        { path: `//${trapHost}/steal` },
        { path: '/a/../../steal' },
        { path: '/a/%2e%2e/%2e%2e/steal' },
        { path: '/ok', headers: { host: trapHost, 'x-forwarded-host': trapHost } },
        { path: '/redirect-me' },
      ].map((h, i) => trafficRecord(`h-${i}`, { service: 'hostile-svc', path: h.path, headers: h.headers ?? {} })),
      trafficRecord('e-1', { service: 'err-svc' }),
    ]);
    const sampledRate = Array.from({ length: 2000 }, (_, i) => isSampled('rate', `id:rate-${i}`, 0.3)).filter(Boolean).length;
    const sampledTenants = Array.from({ length: 10 }, (_, t) => isSampled('tenant', `attr:t${t}`, 0.5)).filter(Boolean).length;
    const expected = sampledRate + sampledTenants * 20 + 3 + 1 + 3 + 3;
    pairs = (await kafka.readAll(kafka.topics.pairs, expected, 120_000)).map((r) => pairSchema.parse(JSON.parse(r.value!.toString())));
  });

  afterAll(async () => {
    await mirror?.close();
    await Promise.all([candidate, secondary, trap, failing, slow].map((s) => s?.close()));
    await kafka?.close();
  });

  const of = (experimentId: string) => pairs.filter((p) => p.experimentId === experimentId);

  it('samples within binomial tolerance of the configured rate', () => {
    const n = 2000;
    const sd = Math.sqrt(n * 0.3 * 0.7);
    expect(Math.abs(of('rate').length - n * 0.3)).toBeLessThan(4 * sd);
    expect(new Set(of('rate').map((p) => p.id)).size).toBe(of('rate').length);
  });

  it('samples a tenant all or nothing, and slices by tenant', () => {
    const byTenant = new Map<string, number>();
    for (const p of of('tenant')) byTenant.set(p.slice['tenant'] ?? '?', (byTenant.get(p.slice['tenant'] ?? '?') ?? 0) + 1);
    expect([...byTenant.values()].every((count) => count === 20)).toBe(true);
    expect(byTenant.size).toBeGreaterThan(0);
    expect(byTenant.size).toBeLessThan(10);
  });

  it('mirrors POST only where the experiment allows it', () => {
    expect(of('safe-only').map((p) => p.trafficId)).toEqual(['m-get']);
    expect(
      of('writes-too')
        .map((p) => p.trafficId)
        .sort(),
    ).toEqual(['m-get', 'm-post']);
    expect(candidate.requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual(['{"charge":10}']);
  });

  it('never lets credentials reach the candidate or the secondary, and marks replays', () => {
    const seen = [...candidate.requests, ...secondary.requests].filter((r) => r.headers['x-trace'] === 't1');
    expect(seen).toHaveLength(2);
    for (const r of seen) {
      expect(r.headers['authorization']).toBeUndefined();
      expect(r.headers['cookie']).toBeUndefined();
      expect(r.headers['x-shadow-request']).toBe('creds');
    }
    expect(of('creds')[0]?.secondary).toMatchObject({ ok: true, response: { status: 200 } });
    expect(candidate.requests.every((r) => r.headers['authorization'] === undefined)).toBe(true);
  });

  it('never connects anywhere but the configured target, whatever the captured path or Host header', () => {
    expect(trap.connections()).toBe(0);
    expect(of('hostile').find((p) => p.trafficId === 'h-5')?.candidate).toMatchObject({ ok: true, response: { status: 302 } });
    const hostile = candidate.requests.filter((r) => r.headers['x-shadow-request'] === 'hostile');
    expect(hostile.map((r) => r.url).sort()).toEqual([`/127.0.0.1:${trap.port}/steal`, '/ok', '/redirect-me']);
    expect(hostile.every((r) => r.headers.host === `127.0.0.1:${candidate.port}`)).toBe(true);
  });

  it('turns a 500, a timeout and a refusal into pairs with the right outcome', () => {
    expect(of('err-500')[0]?.candidate).toMatchObject({ ok: true, response: { status: 500 } });
    expect(of('err-timeout')[0]?.candidate).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(of('err-refused')[0]?.candidate).toMatchObject({ ok: false, error: { kind: 'connect' } });
  });

  it('gives every pair the deterministic id experimentId:trafficId and a normalized endpoint', () => {
    for (const p of pairs) expect(p.id).toBe(`${p.experimentId}:${p.trafficId}`);
    expect(of('rate')[0]?.endpoint).toBe('GET /items/:id');
  });
});
