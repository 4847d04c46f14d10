import { type ChildProcess } from 'node:child_process';
import { type INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { parseEnv, serviceEnvSchemas } from '@penumbra/config';
import {
  type Alert,
  type AuditRecord,
  type ExperimentRecord,
  type ExperimentSpecInput,
  alertSchema,
  experimentRecordSchema,
  experimentSpecSchema,
  generateOperatorKeyFiles,
  operatorSignerFromJson,
  pairSchema,
  signExperimentRecord,
} from '@penumbra/contracts';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, publishExperiments, publishTraffic, spawnTs, trafficRecord } from '@penumbra/kafka-testing';
import { silentLogger } from '@penumbra/observability';
import { startService } from '@penumbra/service-kit';
import { type TestHttpServer, freePort, startHttpServer, testAuditKeys, waitFor } from '@penumbra/testing';
import { MirrorModule } from './mirror.module';
import { TrafficHandler } from './traffic.handler';

jest.setTimeout(240_000);

const spec = (id: string, service: string, baseUrl: string, shadow: Record<string, unknown> = {}): ExperimentSpecInput => ({
  id,
  target: { service },
  shadow: { candidate: { baseUrl }, ...shadow },
  policy: { stages: [{ name: 'shadow', mode: 'observe' }] },
});

describe('signed experiments: the mirror and the audit on the real broker', () => {
  let kafka: TestKafka;
  let candidate: TestHttpServer;
  let trap: TestHttpServer;
  let mirror: INestApplication | undefined;
  let audit: { child: ChildProcess; exited: Promise<void>; base: string } | undefined;
  let log = '';

  beforeAll(async () => {
    kafka = await createTestKafka('signed-exp', silentLogger, { ana: ['operator'], vic: ['viewer'] });
    await kafka.provision();
    candidate = await startHttpServer((_req, res) => res.end('{"ok":true}'));
    trap = await startHttpServer((_req, res) => res.end('{"stolen":true}'));
    await publishExperiments(kafka, [spec('guarded', 'guarded-svc', candidate.url)]);

    const port = await freePort();
    const child = spawnTs(join(__dirname, '..', '..', 'audit-sink', 'src', 'main.ts'), {
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      AUDIT_TRANSACTIONAL_ID: `${kafka.ns.id}-audit`,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
      ...testAuditKeys().env,
    });
    const keep = (d: Buffer) => (log = `${log}${d.toString()}`.slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    audit = { child, exited: new Promise<void>((r) => child.once('exit', () => r())), base: `http://127.0.0.1:${port}` };
    const base = audit.base;
    await waitFor(async () => (await fetch(`${base}/health`).catch(() => undefined))?.status === 200, {
      timeoutMs: 90_000,
      intervalMs: 250,
      what: () => `the audit-sink to be ready (log: ${log})`,
    });

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
  });

  afterAll(async () => {
    await mirror?.close();
    if (audit) {
      audit.child.kill('SIGTERM');
      await audit.exited;
    }
    await Promise.all([candidate, trap].map((s) => s?.close()));
    await kafka?.close();
  });

  it('refuses unsigned, unknown-key, role-less, credential-forwarding, mis-keyed and metadata-bound records, alerts and audits each, and keeps replaying to the signed destination', async () => {
    expect(mirror?.get(TrafficHandler).experimentIds()).toEqual(['guarded']);
    const hijack = experimentSpecSchema.parse(spec('guarded', 'guarded-svc', trap.url));
    const record = (over: Partial<ExperimentRecord> = {}): ExperimentRecord => ({
      type: 'experiment.v1',
      id: `hijack-${Math.random()}`,
      ts: Date.now(),
      experimentId: 'guarded',
      actor: 'mallory',
      spec: hijack,
      ...over,
    });
    const stranger = operatorSignerFromJson(generateOperatorKeyFiles('mallory-1', 'mallory', ['admin']).signingKey);
    const ana = kafka.operators.operators['ana']!.signer;
    const vic = kafka.operators.operators['vic']!.signer;
    const forwarding = experimentSpecSchema.parse(spec('guarded', 'guarded-svc', trap.url, { headers: { forward: ['authorization'] } }));
    const decoy = experimentSpecSchema.parse(spec('decoy', 'guarded-svc', trap.url));
    const toTopic = (r: ExperimentRecord, key = 'guarded') => encodeEvent(experimentRecordSchema, r, kafka.topics.experiments, key);
    await kafka.send([
      toTopic(record()),
      toTopic(signExperimentRecord(record(), stranger)),
      toTopic(signExperimentRecord(record(), vic)),
      toTopic(signExperimentRecord(record({ spec: forwarding }), ana)),
      toTopic(signExperimentRecord(record({ experimentId: 'decoy', spec: decoy }), kafka.operators.admin.signer)),
      { topic: kafka.topics.experiments, key: 'guarded', value: null },
    ]);
    await publishExperiments(kafka, [spec('metadata', 'meta-svc', 'http://169.254.169.254/')], ana);

    let rejected: Alert[] = [];
    await waitFor(
      async () => {
        const all = (await kafka.readAll(kafka.topics.alerts, 7, 10_000).catch(() => [])).map((r) => alertSchema.parse(JSON.parse(r.value!.toString())));
        rejected = all.filter((a) => a.kind === 'experiment-rejected' && a.source === 'traffic-mirror');
        return rejected.length >= 7;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: () => `seven experiment-rejected alerts from the mirror (so far: ${rejected.map((a) => a.message).join(' | ')})` },
    );
    const messages = rejected.map((a) => `${a.experimentId}: ${a.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^guarded: .*from mallory refused.*unsigned experiment record/),
        expect.stringMatching(/^guarded: .*signed by unknown operator key "mallory-1"/),
        expect.stringMatching(/^guarded: .*vic \(roles viewer\) lacks experiments/),
        expect.stringMatching(/^guarded: .*ana \(roles operator\) lacks forward-credentials, which it forwards authorization/),
        expect.stringMatching(/^guarded: .*stored under key "guarded", not its experimentId decoy/),
        expect.stringMatching(/^guarded: experiment deletion .*unsigned deletion/),
        expect.stringMatching(/^metadata: metadata is not mirrored: its candidate .*169\.254\.169\.254/),
      ]),
    );
    expect(mirror?.get(TrafficHandler).experimentIds()).toEqual(['guarded']);

    // One partition: the metadata experiment's traffic is handled before the guarded traffic's pairs arrive.
    await publishTraffic(kafka, [
      ...Array.from({ length: 5 }, (_, i) => trafficRecord(`meta-${i}`, { service: 'meta-svc' })),
      ...Array.from({ length: 20 }, (_, i) => trafficRecord(`g-${i}`, { service: 'guarded-svc', headers: { authorization: 'Bearer prod-secret' } })),
    ]);
    const pairs = (await kafka.readAll(kafka.topics.pairs, 20, 90_000)).map((r) => pairSchema.parse(JSON.parse(r.value!.toString())));
    expect(pairs.map((p) => p.experimentId)).toEqual(Array.from({ length: 20 }, () => 'guarded'));
    expect(trap.requests).toHaveLength(0);
    expect(candidate.requests).toHaveLength(20);
    expect(candidate.requests.every((r) => r.headers.authorization === undefined)).toBe(true);

    const served = async (experimentId: string): Promise<AuditRecord[]> => {
      const res = await fetch(`${audit!.base}/audit/${experimentId}`);
      return res.status === 200 ? ((await res.json()) as { records: AuditRecord[] }).records : [];
    };
    let guarded: AuditRecord[] = [];
    await waitFor(
      async () => {
        guarded = await served('guarded');
        return (
          guarded.filter((r) => r.eventType === 'experiment.v1' || r.eventType === 'experiment.deleted').length >= 5 &&
          guarded.filter((r) => r.eventType === 'alert.v1').length >= 6
        );
      },
      {
        timeoutMs: 90_000,
        intervalMs: 500,
        what: () => `the attacks on guarded and their alerts in the audit (so far ${guarded.map((r) => `${r.eventType}:${r.actor}`).join(', ')}; log: ${log})`,
      },
    );
    expect(guarded.filter((r) => r.eventType === 'experiment.v1' || r.eventType === 'experiment.deleted').map((r) => `${r.eventType}:${r.actor}`)).toEqual([
      'experiment.v1:admin',
      'experiment.v1:unverified:mallory',
      'experiment.v1:unverified:mallory',
      'experiment.v1:unverified:vic',
      'experiment.v1:unverified:ana',
      'experiment.deleted:unverified:unknown',
    ]);
    await waitFor(async () => (await served('decoy')).some((r) => r.eventType === 'experiment.v1' && r.actor === 'unverified:admin'), {
      timeoutMs: 30_000,
      what: 'the mis-keyed record audited as unverified',
    });
  });
});
