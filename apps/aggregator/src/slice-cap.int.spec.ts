import Redis from 'ioredis';
import { readAggregate, sliceSetKey } from '@penumbra/aggregates';
import { parseEnv, serviceEnvSchemas } from '@penumbra/config';
import { type Alert, type AggregateSnapshot, aggregateSnapshotSchema, alertSchema, diffEventSchema } from '@penumbra/contracts';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka } from '@penumbra/kafka-testing';
import { type INestApplication } from '@nestjs/common';
import { startService } from '@penumbra/service-kit';
import { type TestRedis, startRedisServer, waitFor } from '@penumbra/testing';
import { AggregatorModule } from './aggregator.module';

jest.setTimeout(180_000);

const diff = (i: number, tenant: string, ts: number) =>
  diffEventSchema.parse({
    type: 'diff.v1',
    id: `capped:t${i}`,
    ts,
    experimentId: 'capped',
    endpoint: 'GET /',
    slice: { tenant },
    outcome: 'match',
    statusMatch: true,
    status: { primary: 200, candidate: 200 },
    latencyMs: { primary: 5, candidate: 5 },
  });

describe('aggregator slice cap on the real broker and Redis', () => {
  let kafka: TestKafka;
  let server: TestRedis;
  let redis: Redis;
  let service: INestApplication | undefined;

  const all = async <T>(topic: string, parse: (v: unknown) => T): Promise<T[]> => {
    const high = Number((await kafka.admin.topicOffsets(topic))[0]?.high ?? '0');
    return high === 0 ? [] : (await kafka.readAll(topic, high)).map((r) => parse(JSON.parse(r.value!.toString())));
  };

  beforeAll(async () => {
    kafka = await createTestKafka('slice-cap');
    await kafka.provision();
    server = await startRedisServer();
    redis = new Redis(server.url);
    const env = parseEnv(serviceEnvSchemas.aggregator, {
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      REDIS_URL: server.url,
      REDIS_KEY_PREFIX: kafka.ns.keyPrefix,
      AGGREGATOR_PARTIAL_SNAPSHOT_MS: '300',
      AGGREGATOR_MAX_SLICES_PER_EXPERIMENT: '3',
      LOG_LEVEL: 'error',
    });
    service = await startService('aggregator', env, AggregatorModule);
  });

  afterAll(async () => {
    await service?.close();
    redis?.disconnect();
    await server?.stop();
    await kafka?.close();
  });

  it('counts slices past the cap in the (other) slice and alerts once for the experiment', async () => {
    const ts = Date.now();
    const tenants = ['a', 'b', 'c', 'd', 'e', 'f', 'a', 'g'];
    await kafka.send(tenants.map((t, i) => encodeEvent(diffEventSchema, diff(i, t, ts), kafka.topics.diffs, `capped:t${i}`)));

    const alert = await waitFor(async () => (await all(kafka.topics.alerts, (v) => alertSchema.parse(v))).find((a: Alert) => a.kind === 'cap-reached'), {
      timeoutMs: 60_000,
      what: 'the cap-reached alert',
    });
    expect(alert).toMatchObject({ experimentId: 'capped', source: 'aggregator', details: { cap: 3, refused: 4 } });
    expect((await redis.smembers(sliceSetKey({ prefix: kafka.ns.keyPrefix, windowMs: 10_000 }, 'capped'))).sort()).toEqual(['tenant=a', 'tenant=b', 'tenant=c']);

    const keys = { prefix: kafka.ns.keyPrefix, windowMs: 10_000 };
    const from = ts - (ts % 10_000);
    expect((await readAggregate(redis, keys, 'capped', 'tenant=(other)', from, from + 10_000)).counts.pairs).toBe(4);
    expect((await readAggregate(redis, keys, 'capped', 'tenant=a', from, from + 10_000)).counts.pairs).toBe(2);
    expect((await readAggregate(redis, keys, 'capped', '*', from, from + 10_000)).counts.pairs).toBe(8);

    const slices = await waitFor(
      async () => {
        const s = new Set((await all(kafka.topics.aggregates, (v) => aggregateSnapshotSchema.parse(v))).map((x: AggregateSnapshot) => JSON.stringify(x.slice)));
        return s.size >= 5 ? s : undefined;
      },
      { timeoutMs: 30_000, what: 'snapshots of every slice' },
    );
    expect([...slices].sort()).toEqual(['{"tenant":"(other)"}', '{"tenant":"a"}', '{"tenant":"b"}', '{"tenant":"c"}', '{}']);
    expect((await all(kafka.topics.alerts, (v) => alertSchema.parse(v))).filter((a) => a.kind === 'cap-reached')).toHaveLength(1);
  });
});
