import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Counter } from 'prom-client';
import { HealthRegistry } from './health';
import { JsonLogger } from './logger';
import { createMetricsRegistry } from './metrics';
import { ObservabilityModule } from './observability.module';

describe('ObservabilityModule', () => {
  let app: INestApplication;
  let base: string;
  let redisUp = true;
  const registry = createMetricsRegistry('test-service', { defaultMetrics: false });
  // A budget no loaded machine reaches: the slow check must be waited for, never timed out.
  const health = new HealthRegistry(60_000);
  const hits = new Counter({ name: 'test_hits_total', help: 'hits', registers: [registry] });

  beforeAll(async () => {
    health.register('kafka', () => ({ ok: true }));
    health.register('redis', () => ({ ok: redisUp, detail: redisUp ? undefined : 'connection closed' }));
    health.register('slow', () => new Promise((r) => setTimeout(() => r({ ok: true }), 50)));
    app = await NestFactory.create(ObservabilityModule.forRoot({ registry, health }), { logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
  });

  it('serves the injected registry, labelled with the service', async () => {
    hits.inc(3);
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await res.text()).toMatch(/test_hits_total\{service="test-service"\} 3/);
  });

  it('reports ready with every check when all hold', async () => {
    redisUp = true;
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { kafka: { ok: true }, redis: { ok: true }, slow: { ok: true } } });
  });

  it('answers 503 naming the failing dependency', async () => {
    redisUp = false;
    const res = await fetch(`${base}/health/ready`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unavailable', checks: { redis: { ok: false, detail: 'connection closed' } } });
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
  });

  it('fails liveness once a liveness check says the process cannot recover by itself', async () => {
    let dead = false;
    health.registerLiveness('consumer', () => (dead ? { ok: false, detail: 'stopped for good' } : { ok: true }));
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    dead = true;
    const res = await fetch(`${base}/health/live`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', checks: { consumer: { ok: false, detail: 'stopped for good' } } });
  });
});

describe('HealthRegistry', () => {
  it('bounds a check that never answers', async () => {
    const health = new HealthRegistry(20);
    health.register('hung', () => new Promise(() => undefined));
    expect(await health.readiness()).toEqual({ status: 'unavailable', checks: { hung: { ok: false, detail: 'no answer within 20 ms' } } });
  });

  it('turns a throwing check into a failed one', async () => {
    const health = new HealthRegistry(20);
    health.register('boom', () => {
      throw new Error('refused');
    });
    expect((await health.readiness()).checks['boom']).toEqual({ ok: false, detail: 'refused' });
  });
});

describe('JsonLogger', () => {
  it('writes one JSON object a line with level filtering and child fields', () => {
    const lines: string[] = [];
    const log = new JsonLogger({ service: 's' }, 'info', { write: (l: string) => lines.push(l) }, () => 0).child({ experimentId: 'e1' });
    log.debug('hidden');
    log.warn('lag rising', { lag: 12, err: new Error('x') });
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!);
    expect(rec).toMatchObject({
      ts: '1970-01-01T00:00:00.000Z',
      level: 'warn',
      service: 's',
      experimentId: 'e1',
      msg: 'lag rising',
      lag: 12,
      err: { name: 'Error', message: 'x' },
    });
  });

  it("keeps an error's code, retriable flag, context and causes", () => {
    const lines: string[] = [];
    const log = new JsonLogger({ service: 's' }, 'info', { write: (l: string) => lines.push(l) }, () => 0);
    const root = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    const err = Object.assign(new Error('kafka produce failed', { cause: root }), { code: 'DEPENDENCY_UNAVAILABLE', retriable: true, context: { topic: 'shadow.pairs' } });
    log.error('send failed', { err });
    expect(JSON.parse(lines[0]!).err).toMatchObject({
      message: 'kafka produce failed',
      code: 'DEPENDENCY_UNAVAILABLE',
      retriable: true,
      context: { topic: 'shadow.pairs' },
      cause: { message: 'connection refused', code: 'ECONNREFUSED' },
    });
  });
});
