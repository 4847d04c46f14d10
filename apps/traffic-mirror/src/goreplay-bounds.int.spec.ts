import { type Alert, type DeadLetter, type GoReplayMessage, alertSchema, deadLetterSchema, goReplayMessageSchema } from '@penumbra/contracts';
import { parseEnv, serviceEnvSchemas } from '@penumbra/config';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka } from '@penumbra/kafka-testing';
import { type INestApplication } from '@nestjs/common';
import { METRICS_REGISTRY } from '@penumbra/observability';
import { BATCH_TRANSPORT, type BatchTransport, startService } from '@penumbra/service-kit';
import { type Registry } from 'prom-client';
import { MirrorModule } from './mirror.module';
import { waitFor } from '@penumbra/testing';

jest.setTimeout(180_000);

const request = (id: string, body = ''): GoReplayMessage =>
  goReplayMessageSchema.parse({ Req_Type: '1', Req_ID: id, Req_Ts: '1763776800000000000', Req_URL: `/orders/${id}`, Req_Method: 'GET', Req_Body: body, Req_Headers: {} });

describe('traffic-mirror GoReplay join bounds on the real broker', () => {
  let kafka: TestKafka;
  let topic: string;
  let metrics: Registry;
  let mirror: INestApplication | undefined;
  let group: string;

  const committed = async () => (await kafka.admin.groupOffsets(group, topic))[0]?.offset;
  const end = async () => (await kafka.admin.topicOffsets(topic))[0]?.high;
  const all = async <T>(name: string, parse: (v: unknown) => T): Promise<T[]> => {
    const high = Number((await kafka.admin.topicOffsets(name))[0]?.high ?? '0');
    return high === 0 ? [] : (await kafka.readAll(name, high)).map((r) => parse(JSON.parse(r.value!.toString())));
  };
  const lettersFrom = async (): Promise<DeadLetter[]> => (await all(kafka.topics.dlq, (v) => deadLetterSchema.parse(v))).filter((l) => l.source.topic === topic);

  beforeAll(async () => {
    kafka = await createTestKafka('goreplay-bounds');
    await kafka.provision();
    topic = await kafka.createTopic('goreplay', 1);
    const env = parseEnv(serviceEnvSchemas['traffic-mirror'], {
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      LOG_LEVEL: 'error',
      GOREPLAY_TOPIC: topic,
      GOREPLAY_WINDOW_MS: '2000',
      GOREPLAY_MAX_PENDING_BYTES: String(1024 * 1024),
    });
    mirror = await startService('traffic-mirror', env, MirrorModule);
    group = mirror.get<symbol, BatchTransport>(BATCH_TRANSPORT, { strict: false }).groupOf('goreplay') ?? '';
    metrics = mirror.get<symbol, Registry>(METRICS_REGISTRY, { strict: false });
  });

  afterAll(async () => {
    await mirror?.close();
    await kafka?.close();
  });

  it('dead-letters a lone request half once its window passes and commits past it, with no further message', async () => {
    await kafka.send([encodeEvent(goReplayMessageSchema, request('lone'), topic, null)]);
    const letter = await waitFor(async () => (await lettersFrom()).find((l) => l.reason.includes('Req_ID lone')), {
      timeoutMs: 60_000,
      what: 'the dead letter of the lone half',
    });
    expect(letter).toMatchObject({ errorClass: 'handler', reason: 'no response for Req_ID lone within 2000 ms', source: { offset: '0' } });
    await waitFor(async () => (await committed()) === '1', { timeoutMs: 30_000, what: 'the commit to pass the lone half' });
    expect(await end()).toBe('1');
  });

  it('evicts halves past the byte budget, dead-letters and counts every one, and alerts once', async () => {
    const body = 'x'.repeat(100 * 1024);
    // Five at a time: one produce request stays under the broker's message size limit.
    for (let chunk = 0; chunk < 4; chunk += 1)
      await kafka.send(Array.from({ length: 5 }, (_, i) => encodeEvent(goReplayMessageSchema, request(`big-${chunk * 5 + i}`, body), topic, null)));
    const letters = await waitFor(
      async () => {
        const ls = (await lettersFrom()).filter((l) => l.reason.includes('Req_ID big-') || l.reason.startsWith('join buffer full'));
        return ls.length >= 20 ? ls : undefined;
      },
      { timeoutMs: 60_000, what: 'a dead letter for each of the 20 big halves' },
    );
    const evicted = letters.filter((l) => l.reason.startsWith('join buffer full'));
    expect(evicted.length).toBeGreaterThan(0);
    expect(new Set(letters.map((l) => l.source.offset)).size).toBe(20);
    expect(letters.every((l) => l.truncated && (l.value?.length ?? 0) <= Math.ceil((64 * 1024) / 3) * 4)).toBe(true);
    await waitFor(async () => (await committed()) === '21', { timeoutMs: 30_000, what: 'the commit to reach the end' });

    const counted = (await metrics.getSingleMetric('penumbra_mirror_goreplay_messages_total')?.get())?.values.find((v) => v.labels['outcome'] === 'evicted')?.value;
    expect(counted).toBe(evicted.length);
    const alerts: Alert[] = await all(kafka.topics.alerts, (v) => alertSchema.parse(v));
    expect(alerts.filter((a) => a.kind === 'evictions')).toEqual([
      expect.objectContaining({ source: 'traffic-mirror', details: expect.objectContaining({ consumerGroup: group }) }),
    ]);
  });
});
