import { type DiffEvent, deadLetterSchema, diffEventSchema, pairSchema } from '@penumbra/contracts';
import { parseEnv, serviceEnvSchemas } from '@penumbra/config';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, jsonPair, publishExperiments } from '@penumbra/kafka-testing';
import { type INestApplication } from '@nestjs/common';
import { startService } from '@penumbra/service-kit';
import { type TestRedis, startRedisServer } from '@penumbra/testing';
import { ComparatorModule } from './comparator.module';

jest.setTimeout(180_000);

describe('comparator on the real broker and Redis', () => {
  let kafka: TestKafka;
  let redis: TestRedis;
  let service: INestApplication | undefined;
  let events: DiffEvent[];

  const spec = (id: string, compare: Record<string, unknown> = {}) => ({
    id,
    target: { service: 's' },
    shadow: { candidate: { baseUrl: 'http://127.0.0.1:1' } },
    compare,
    policy: { stages: [{ name: 'x' }] },
  });

  beforeAll(async () => {
    kafka = await createTestKafka('comparator');
    await kafka.provision();
    redis = await startRedisServer({ clusterable: true });
    await publishExperiments(kafka, [
      spec('noisy'),
      spec('solo'),
      spec('solo-opt', { noise: { suppressSuspectedVolatile: true } }),
      spec('rules', { ignore: ['$.meta'], redact: ['$.email'] }),
    ]);
    const env = parseEnv(serviceEnvSchemas.comparator, {
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
      ...redis.env,
      REDIS_KEY_PREFIX: kafka.ns.keyPrefix,
      LOG_LEVEL: 'error',
    });
    service = await startService('comparator', env, ComparatorModule);

    const pairs = [
      ...Array.from({ length: 30 }, (_, i) =>
        jsonPair('noisy', `n${i}`, {
          primary: { requestId: `p${i}`, price: 10, name: 'x' },
          secondary: { requestId: `s${i}`, price: 10, name: 'x' },
          candidate: { requestId: `c${i}`, price: 12, name: 'x' },
        }),
      ),
      ...Array.from({ length: 30 }, (_, i) => jsonPair('solo', `s${i}`, { primary: { traceId: `a${i}`, v: 1 }, candidate: { traceId: `b${i}`, v: 1 } })),
      ...Array.from({ length: 30 }, (_, i) => jsonPair('solo-opt', `o${i}`, { primary: { traceId: `a${i}`, v: 1 }, candidate: { traceId: `b${i}`, v: 1 } })),
      jsonPair('rules', 'r1', { primary: { meta: { x: 1 }, email: 'a@x', v: 1 }, candidate: { meta: { x: 2 }, email: 'b@x', v: 1 } }),
      jsonPair('rules', 'r2', { primary: { v: 1 }, candidate: { error: 'timeout' } }),
    ];
    await kafka.send(pairs.map((p) => encodeEvent(pairSchema, p, kafka.topics.pairs, p.id)));
    await kafka.send([{ topic: kafka.topics.pairs, key: 'bad', value: '{"type":"pair.v1","id":' }]);
    events = (await kafka.readAll(kafka.topics.diffs, pairs.length, 90_000)).map((r) => diffEventSchema.parse(JSON.parse(r.value!.toString())));
  });

  afterAll(async () => {
    await service?.close();
    await redis?.stop();
    await kafka?.close();
  });

  const of = (id: string) => events.filter((e) => e.experimentId === id);

  it('suppresses a field the secondary shows to be noisy and still reports the real regression', () => {
    const noisy = of('noisy');
    expect(noisy).toHaveLength(30);
    for (const e of noisy) {
      expect(e.outcome).toBe('mismatch');
      expect(e.differences).toEqual([{ path: '$.price', kind: 'changed', primary: '10', candidate: '12' }]);
      expect(e.suppressedNoise).toEqual(['$.requestId']);
    }
  });

  it('flags a volatile field without a secondary, and suppresses it only where the experiment opts in', () => {
    const solo = of('solo');
    expect(solo.every((e) => e.outcome === 'mismatch')).toBe(true);
    expect(solo.filter((e) => e.suspectedNoise.includes('$.traceId')).length).toBeGreaterThan(0);
    const opted = of('solo-opt');
    expect(opted.filter((e) => e.outcome === 'match' && e.suppressedNoise.includes('$.traceId')).length).toBeGreaterThan(0);
  });

  it('applies the experiment rules, redacts, and reports candidate errors', () => {
    const [r1] = of('rules').filter((e) => e.id === 'rules:r1');
    expect(r1?.differences).toEqual([{ path: '$.email', kind: 'changed', primary: '<redacted>', candidate: '<redacted>' }]);
    expect(JSON.stringify(events)).not.toMatch(/a@x|b@x/);
    expect(of('rules').find((e) => e.id === 'rules:r2')).toMatchObject({ outcome: 'candidate_error', errors: { candidate: 'timeout' } });
  });

  it('dead-letters an invalid pair and keeps going', async () => {
    const letters = (await kafka.readAll(kafka.topics.dlq, 1)).map((r) => deadLetterSchema.parse(JSON.parse(r.value!.toString())));
    expect(letters[0]).toMatchObject({ errorClass: 'json', source: { topic: kafka.topics.pairs } });
  });
});
