import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { type Pair, deadLetterSchema, goReplayMessageSchema, pairSchema } from '@penumbra/contracts';
import { parseEnv, serviceEnvSchemas } from '@penumbra/config';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, publishExperiments, publishTraffic, spawnTs, trafficRecord } from '@penumbra/kafka-testing';
import { startService } from '@penumbra/service-kit';
import { type TestHttpServer, startHttpServer, waitFor } from '@penumbra/testing';
import { MirrorModule } from './mirror.module';
import { TrafficHandler } from './traffic.handler';

jest.setTimeout(180_000);

const pairsOf = async (kafka: TestKafka, count: number): Promise<Pair[]> =>
  (await kafka.readAll(kafka.topics.pairs, count, 60_000)).map((r) => pairSchema.parse(JSON.parse(r.value!.toString())));

describe('traffic-mirror recovery, live changes and GoReplay input', () => {
  let kafka: TestKafka;
  let candidate: TestHttpServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    kafka = await createTestKafka('mirror-recovery');
    await kafka.provision();
    candidate = await startHttpServer((_req, res) => res.end('{"ok":true}'));
    env = {
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
      MIRROR_ALLOWED_TARGETS: '127.0.0.1/32',
      LOG_LEVEL: 'error',
      MIRROR_START_FROM: 'earliest',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    };
  });

  afterAll(async () => {
    await candidate?.close();
    await kafka?.close();
  });

  it('replays a batch again after a crash before the commit, yielding pairs with the same ids', async () => {
    const base = { target: { service: 'crash-svc' }, shadow: { candidate: { baseUrl: candidate.url }, rateLimitPerSec: 10_000 }, policy: { stages: [{ name: 's' }] } };
    await publishExperiments(kafka, [{ id: 'crash', ...base }]);
    await publishTraffic(
      kafka,
      Array.from({ length: 50 }, (_, i) => trafficRecord(`c-${i}`, { service: 'crash-svc' })),
    );

    const run = (mode: 'crash' | 'normal') => {
      const child = spawnTs(join(__dirname, 'mirror-crash.spec-helpers.ts'), { ...env, MODE: mode });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve, reject) =>
        child.on('exit', (code, signal) => (code !== null && code !== 0 ? reject(new Error(`mirror exited ${code}: ${stderr}`)) : resolve(signal))),
      );
      return { child, exited };
    };

    const crashed = run('crash');
    expect(await crashed.exited).toBe('SIGKILL');
    const afterCrash = await waitFor(async () => {
      const offsets = await kafka.admin.topicOffsets(kafka.topics.pairs);
      const n = Number(offsets[0]?.high ?? '0');
      return n > 0 ? n : undefined;
    });
    const crashPairs = await pairsOf(kafka, afterCrash);
    expect(await kafka.admin.groupOffsets(`${kafka.ns.id}.traffic-mirror`, kafka.topics.traffic)).toEqual([{ partition: 0, offset: '-1' }]);

    const resumed = run('normal');
    await waitFor(async () => (await kafka.admin.groupOffsets(`${kafka.ns.id}.traffic-mirror`, kafka.topics.traffic))[0]?.offset === '50', {
      timeoutMs: 90_000,
      what: 'the resumed mirror to commit all 50 records',
    });
    resumed.child.kill('SIGTERM');
    await resumed.exited;

    const all = await pairsOf(kafka, afterCrash + 50);
    const ids = all.map((p) => p.id);
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `crash:c-${i}`)));
    for (const p of crashPairs) expect(ids.filter((id) => id === p.id)).toHaveLength(2);
  });

  describe('in process', () => {
    let mirror: INestApplication | undefined;
    let goreplayTopic: string;

    beforeAll(async () => {
      goreplayTopic = await kafka.createTopic('goreplay', 2);
      await publishExperiments(kafka, [
        { id: 'gor', target: { service: 'gor-svc' }, shadow: { candidate: { baseUrl: candidate.url } }, policy: { stages: [{ name: 's' }] } },
        { id: 'live', target: { service: 'live-svc' }, shadow: { candidate: { baseUrl: candidate.url }, sampleRate: 0 }, policy: { stages: [{ name: 's' }] } },
      ]);
      const parsed = parseEnv(serviceEnvSchemas['traffic-mirror'], {
        ...env,
        KAFKA_GROUP_PREFIX: `${kafka.ns.id}.inproc.`,
        MIRROR_ALLOWED_TARGETS: '127.0.0.1/32',
        GOREPLAY_TOPIC: goreplayTopic,
        GOREPLAY_SERVICE: 'gor-svc',
        GOREPLAY_WINDOW_MS: '1000',
        GOREPLAY_ATTRIBUTE_HEADERS: 'x-tenant:tenant',
      });
      mirror = await startService('traffic-mirror', parsed, MirrorModule);
    });

    afterAll(async () => {
      await mirror?.close();
    });

    it('applies a changed experiment within seconds, without a restart', async () => {
      const live = () => candidate.requests.filter((r) => r.headers['x-shadow-request'] === 'live').length;
      await publishTraffic(kafka, [trafficRecord('live-0', { service: 'live-svc' })]);
      await waitFor(async () => (await kafka.admin.groupOffsets(`${kafka.ns.id}.inproc.traffic-mirror`, kafka.topics.traffic))[0]?.offset !== '-1', {
        what: 'the first record consumed',
      });
      expect(live()).toBe(0);
      await publishExperiments(kafka, [
        { id: 'live', target: { service: 'live-svc' }, shadow: { candidate: { baseUrl: candidate.url }, sampleRate: 1 }, policy: { stages: [{ name: 's' }] } },
      ]);
      const changed = Date.now();
      let n = 1;
      await waitFor(
        async () => {
          await publishTraffic(kafka, [trafficRecord(`live-${n++}`, { service: 'live-svc' })]);
          return live() > 0;
        },
        { timeoutMs: 30_000, intervalMs: 500, what: () => `a replay for the changed experiment (debug: ${JSON.stringify(mirror?.get(TrafficHandler).experimentIds())})` },
      );
      expect(Date.now() - changed).toBeLessThan(15_000);
    });

    it('joins GoReplay requests and responses into pairs, and dead-letters garbage and the unmatched', async () => {
      const msg = (type: '1' | '2' | '3', id: string, extra: Record<string, unknown> = {}) =>
        goReplayMessageSchema.parse({
          Req_Type: type,
          Req_ID: id,
          Req_Ts: type === '1' ? '1763776800000000000' : '1763776800004000000',
          Req_URL: type === '1' ? `/orders/${id}` : '200',
          Req_Method: type === '1' ? 'GET' : 'HTTP/1.1',
          Req_Body: type === '1' ? '' : '{"id":1}',
          Req_Headers: type === '1' ? { Host: 'prod', 'X-Tenant': 'acme' } : { 'Content-Type': 'application/json' },
          ...extra,
        });
      const at = (partition: number, value: ReturnType<typeof msg>) => ({ ...encodeEvent(goReplayMessageSchema, value, goreplayTopic, null), partition });
      await kafka.send([
        at(0, msg('1', 'a')),
        at(1, msg('2', 'a')),
        at(1, msg('1', 'b')),
        { topic: goreplayTopic, key: null, value: '{"Req_Type": "1", garbage', partition: 0 },
        at(0, msg('2', 'b')),
        at(0, msg('1', 'c')),
        at(1, msg('3', 'a')),
      ]);
      await new Promise((r) => setTimeout(r, 1500));
      await kafka.send([at(0, msg('1', 'd')), at(1, msg('2', 'd'))]);

      const gorPairs = await waitFor(
        async () => {
          const ps = (await pairsOf(kafka, 1)).filter((p) => p.experimentId === 'gor');
          return ps.length >= 3 ? ps : undefined;
        },
        { timeoutMs: 60_000, what: 'three GoReplay pairs' },
      );
      expect(gorPairs.map((p) => p.trafficId).sort()).toEqual(['gor-a', 'gor-b', 'gor-d']);
      expect(gorPairs[0]).toMatchObject({ primary: { status: 200, latencyMs: 4 }, slice: {}, endpoint: 'GET /orders/a' });

      const letters = await waitFor(
        async () => {
          const ls = (await kafka.readAll(kafka.topics.dlq, 1)).map((r) => deadLetterSchema.parse(JSON.parse(r.value!.toString()))).filter((l) => l.source.topic === goreplayTopic);
          return ls.length >= 3 ? ls : undefined;
        },
        { timeoutMs: 60_000, what: 'three GoReplay dead letters' },
      );
      const reasons = letters.map((l) => `${l.errorClass}: ${l.reason}`).sort();
      expect(reasons).toEqual([
        expect.stringMatching(/^handler: no response for Req_ID c within 1000 ms$/),
        expect.stringMatching(/^handler: replayed response \(Req_Type 3\)/),
        expect.stringMatching(/^json: value is not JSON/),
      ]);
    });
  });
});
