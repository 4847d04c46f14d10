import { type Pair, deadLetterSchema, metricObservationSchema, pairSchema } from '@penumbra/contracts';
import { parseEnv, serviceEnvSchemas } from '@penumbra/config';
import { type TestKafka, createTestKafka, publishExperiments, publishTraffic, trafficRecord } from '@penumbra/kafka-testing';
import { type INestApplication } from '@nestjs/common';
import { METRICS_REGISTRY } from '@penumbra/observability';
import { startService } from '@penumbra/service-kit';
import { type Registry } from 'prom-client';
import { type TestHttpServer, startHttpServer, waitFor } from '@penumbra/testing';
import { MirrorModule } from './mirror.module';

jest.setTimeout(240_000);

/** Per experiment and reason, from the mirror's own metrics. */
async function skips(metrics: Registry): Promise<Map<string, number>> {
  const metric = metrics.getSingleMetric('penumbra_mirror_records_skipped_total');
  const out = new Map<string, number>();
  for (const v of (await metric?.get())?.values ?? []) out.set(`${v.labels['experiment']}/${v.labels['reason']}`, v.value);
  return out;
}

async function candidateErrors(metrics: Registry, experiment: string): Promise<number> {
  const metric = metrics.getSingleMetric('penumbra_mirror_replays_total');
  const values = (await metric?.get())?.values ?? [];
  return values.filter((v) => v.labels['experiment'] === experiment && v.labels['side'] === 'candidate' && v.labels['outcome'] !== 'ok').reduce((n, v) => n + v.value, 0);
}

describe('traffic-mirror replays each record once, with honest outcomes, on the real broker', () => {
  let kafka: TestKafka;
  let candidate: TestHttpServer;
  let broken: TestHttpServer;
  let paced: TestHttpServer;
  let slow: TestHttpServer;
  let mirror: INestApplication | undefined;
  let metrics: Registry;
  let pairs: Pair[];
  const BACKLOG = 2000;

  const experiment = (id: string, service: string, baseUrl: string, shadow: Record<string, unknown> = {}) => ({
    id,
    target: { service },
    shadow: { candidate: { baseUrl }, rateLimitPerSec: 100_000, ...shadow },
    policy: { stages: [{ name: 'shadow', mode: 'observe' as const }] },
  });

  const replaysOf = (server: TestHttpServer, experimentId: string) => server.requests.filter((r) => r.headers['x-shadow-request'] === experimentId);
  const of = (experimentId: string) => pairs.filter((p) => p.experimentId === experimentId);

  beforeAll(async () => {
    kafka = await createTestKafka('mirror-once');
    await kafka.provision();
    candidate = await startHttpServer((_req, res) => res.end('{"ok":true}'));
    broken = await startHttpServer((_req, res) => {
      res.writeHead(600);
      res.end('not http');
    });
    // Healthy but not instant: a backlog needs many rounds of the in-flight cap to get through.
    paced = await startHttpServer((_req, res) => void setTimeout(() => res.end('{"ok":true}'), 3));
    slow = await startHttpServer((_req, res) => void setTimeout(() => res.end('{"ok":true}'), 800));

    await publishExperiments(kafka, [
      experiment('long-path', 'long-svc', candidate.url),
      experiment('status-600', 'broken-svc', broken.url),
      experiment('unsendable', 'odd-svc', candidate.url),
      experiment('backlog', 'backlog-svc', paced.url, { maxInFlight: 4 }),
      // One slot and 800 ms answers: its ten records hold the first batch for longer than the session timeout.
      experiment('held', 'held-svc', slow.url, { maxInFlight: 1, onOverload: 'backpressure', timeoutMs: 2000 }),
    ]);
    // Everything is captured before the mirror starts: it begins with a backlog.
    await publishTraffic(kafka, [
      ...Array.from({ length: 10 }, (_, i) => trafficRecord(`held-${i}`, { service: 'held-svc' })),
      ...Array.from({ length: 10 }, (_, i) => trafficRecord(`long-${i}`, { service: 'long-svc', path: i === 4 ? `/items/${'x'.repeat(1500)}` : `/items/${i}` })),
      ...Array.from({ length: 10 }, (_, i) => trafficRecord(`broken-${i}`, { service: 'broken-svc' })),
      trafficRecord('odd-path', { service: 'odd-svc', path: '/caf\u00e9/\u65e5\u672c' }),
      trafficRecord('odd-header', { service: 'odd-svc', headers: { 'x-note': 'a\r\nx-injected: 1' } }),
      ...Array.from({ length: BACKLOG }, (_, i) => trafficRecord(`b-${i}`, { service: 'backlog-svc', path: `/items/${i}` })),
    ]);
    const total = 10 + 10 + 10 + 2 + BACKLOG;

    const env = parseEnv(serviceEnvSchemas['traffic-mirror'], {
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
      MIRROR_ALLOWED_TARGETS: '127.0.0.1/32',
      LOG_LEVEL: 'error',
      MIRROR_START_FROM: 'earliest',
      MIRROR_COUNTS_INTERVAL_MS: '300',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    });
    mirror = await startService('traffic-mirror', env, MirrorModule);
    metrics = mirror.get<symbol, Registry>(METRICS_REGISTRY, { strict: false });
    await waitFor(async () => (await kafka.admin.groupOffsets(`${kafka.ns.id}.traffic-mirror`, kafka.topics.traffic))[0]?.offset === String(total), {
      timeoutMs: 180_000,
      what: `the mirror to commit all ${total} captured records`,
    });
    const produced = Number((await kafka.admin.topicOffsets(kafka.topics.pairs))[0]?.high ?? '0');
    pairs = (await kafka.readAll(kafka.topics.pairs, produced, 60_000)).map((r) => pairSchema.parse(JSON.parse(r.value!.toString())));
  });

  afterAll(async () => {
    await mirror?.close();
    await Promise.all([candidate, broken, paced, slow].map((s) => s?.close()));
    await kafka?.close();
  });

  it('replays a batch holding a path too long for an endpoint exactly once per record, each into one pair', () => {
    expect(replaysOf(candidate, 'long-path')).toHaveLength(10);
    expect(
      of('long-path')
        .map((p) => p.trafficId)
        .sort(),
    ).toEqual(Array.from({ length: 10 }, (_, i) => `long-${i}`).sort());
    const long = of('long-path').find((p) => p.trafficId === 'long-4');
    expect(long?.endpoint.length).toBeLessThanOrEqual(1024);
    expect(long?.request.path).toHaveLength('/items/'.length + 1500);
  });

  it('turns a candidate answering 600 into one pair per record with a protocol error on the candidate side', async () => {
    expect(replaysOf(broken, 'status-600')).toHaveLength(10);
    expect(of('status-600')).toHaveLength(10);
    for (const p of of('status-600')) expect(p.candidate).toMatchObject({ ok: false, error: { kind: 'protocol' } });
    const letters = Number((await kafka.admin.topicOffsets(kafka.topics.dlq))[0]?.high ?? '0');
    const dead = letters === 0 ? [] : (await kafka.readAll(kafka.topics.dlq, letters, 30_000)).map((r) => deadLetterSchema.parse(JSON.parse(r.value!.toString())));
    expect(dead).toEqual([]);
  });

  it('sends a non-Latin-1 path percent-encoded, and skips a CRLF header value with a reason, neither counted against the candidate', async () => {
    expect(replaysOf(candidate, 'unsendable').map((r) => r.url)).toEqual(['/caf%C3%A9/%E6%97%A5%E6%9C%AC']);
    expect(of('unsendable').map((p) => [p.trafficId, p.candidate.ok])).toEqual([['odd-path', true]]);
    expect((await skips(metrics)).get('unsendable/unsendable-header')).toBe(1);
    expect(await candidateErrors(metrics, 'unsendable')).toBe(0);
  });

  it('paces a backlog through a healthy candidate: every captured request mirrored, none skipped as overload', async () => {
    const skipped = await skips(metrics);
    expect(skipped.get('backlog/overload') ?? 0).toBe(0);
    expect([...skipped.keys()].filter((k) => k.startsWith('backlog/'))).toEqual([]);
    expect(replaysOf(paced, 'backlog')).toHaveLength(BACKLOG);
    expect(new Set(of('backlog').map((p) => p.id)).size).toBe(BACKLOG);
  });

  it('holds a batch under backpressure longer than the session timeout without a rebalance replaying it', () => {
    expect(replaysOf(slow, 'held')).toHaveLength(10);
    expect(of('held')).toHaveLength(10);
  });

  it('produces no pair twice', () => {
    expect(new Set(pairs.map((p) => p.id)).size).toBe(pairs.length);
    expect(pairs).toHaveLength(10 + 10 + 10 + 1 + BACKLOG);
  });

  it('publishes per-experiment counts the aggregator rolls up: matched, mirrored and skipped by reason', async () => {
    const sums = await waitFor(
      async () => {
        const n = Number((await kafka.admin.topicOffsets(kafka.topics.metrics))[0]?.high ?? '0');
        const out = new Map<string, number>();
        for (const r of n === 0 ? [] : await kafka.readAll(kafka.topics.metrics, n, 30_000)) {
          const o = metricObservationSchema.parse(JSON.parse(r.value!.toString()));
          out.set(`${o.experimentId}/${o.name}`, (out.get(`${o.experimentId}/${o.name}`) ?? 0) + o.value);
        }
        return out.get('backlog/mirror_matched') === BACKLOG ? out : undefined;
      },
      { timeoutMs: 30_000, what: 'the mirror counts of the backlog' },
    );
    expect(sums.get('backlog/mirror_mirrored')).toBe(BACKLOG);
    expect(sums.get('backlog/mirror_skipped') ?? 0).toBe(0);
    expect(sums.get('unsendable/mirror_matched')).toBe(2);
    expect(sums.get('unsendable/mirror_mirrored')).toBe(1);
    expect(sums.get('unsendable/mirror_skipped_unsendable-header')).toBe(1);
  });
});
