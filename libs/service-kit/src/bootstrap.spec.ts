import { Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { parseEnv, serviceEnvSchemas } from '@penumbra/config';
import { bootstrapService } from './bootstrap';
import { SERVICE_CONTEXT, type ServiceContext, createServiceContext } from './service-context';

@Injectable()
class Probe implements OnApplicationBootstrap {
  started = false;
  constructor(@Inject(SERVICE_CONTEXT) readonly ctx: ServiceContext) {}
  onApplicationBootstrap(): void {
    this.started = true;
    this.ctx.health.register('probe', () => ({ ok: this.started, detail: 'probe started' }));
  }
}

@Module({ providers: [Probe] })
class ProbeModule {}

describe('bootstrapService', () => {
  const env = parseEnv(serviceEnvSchemas.comparator, { KAFKA_BROKERS: '127.0.0.1:1', TOPIC_PREFIX: 'p.', KAFKA_GROUP_PREFIX: 'g.', LOG_LEVEL: 'error' });

  it('names topics and consumer groups from the environment', () => {
    const ctx = createServiceContext('comparator', env);
    expect(ctx.topics.pairs).toBe('p.pairs');
    expect(ctx.groupId()).toBe('g.comparator');
    expect(ctx.groupId('noise')).toBe('g.comparator-noise');
  });

  it('starts the feature module and serves /health and /metrics for it', async () => {
    const ctx = createServiceContext('comparator', env);
    const app = await bootstrapService(ctx, ProbeModule);
    try {
      const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok', checks: { probe: { ok: true, detail: 'probe started' } } });
      expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/process_cpu_user_seconds_total\{service="comparator"\}/);
    } finally {
      await app.close();
    }
  });

  it('answers /health/live 503 once part of the service died for good, without exiting when not asked to', async () => {
    const ctx = createServiceContext('comparator', env);
    const app = await bootstrapService(ctx, ProbeModule);
    try {
      const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      ctx.fatal('consumer penumbra.comparator stopped for good: offset out of range');
      const res = await fetch(`${base}/health/live`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'unavailable', checks: { process: { ok: false, detail: expect.stringMatching(/stopped for good/) } } });
    } finally {
      await app.close();
    }
  });
});
