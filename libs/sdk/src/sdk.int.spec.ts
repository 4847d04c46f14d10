import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { type Ack, type Alert, type Command, type ExperimentSpecInput, ackSchema, alertSchema, commandSchema } from '@penumbra/contracts';
import { type ProducerPort } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, publishExperiments, spawnTs } from '@penumbra/kafka-testing';
import { type TestRedis, startRedisServer, testCommandKeys, waitFor } from '@penumbra/testing';
import { Adaptive } from './adaptive';
import { adaptiveTarget } from './adaptive-target';
import { CommandFollower } from './command-follower';
import { Experiment } from './experiment';
import { PairPublisher } from './pair-publisher';
import { SentinelStateStore } from '@penumbra/sentinel-state';

jest.setTimeout(180_000);

const APPS = join(__dirname, '..', '..', '..', 'apps');
const ACK_TIMEOUT_MS = 15_000;
const commandKeys = testCommandKeys();
const applierKeys = testCommandKeys('sdk-applier');

interface RateLimitPolicy {
  name: string;
  limit: number;
}
const allow = (p: RateLimitPolicy, used: number) => ({ allowed: used < p.limit });

function experiment(id: string): ExperimentSpecInput {
  return {
    id,
    target: { service: 'limits' },
    shadow: { candidate: { baseUrl: 'http://in-process.invalid' } },
    policy: {
      stages: [
        { name: 'shadow', mode: 'live', weight: 0, minDurationSec: 1, minSamples: 50, gates: ['matchRate >= 0.9'], rollbackTriggers: ['matchRate < 0.5'] },
        { name: 'canary', mode: 'live', weight: 20, minDurationSec: 1, minSamples: 50, gates: ['matchRate >= 0.9'], rollbackTriggers: ['matchRate < 0.5'] },
      ],
      watchAfterFinalSec: 0,
      cooldownSec: 3600,
    },
  };
}

describe('the SDK against the real comparator, aggregator and sentinel', () => {
  let kafka: TestKafka;
  let redis: TestRedis;
  let producer: ProducerPort;
  let publisher: PairPublisher;
  const children: ChildProcess[] = [];
  const followers: CommandFollower[] = [];
  let traffic: NodeJS.Timeout | undefined;
  let logs = '';

  beforeAll(async () => {
    kafka = await createTestKafka('sdk');
    await kafka.provision();
    redis = await startRedisServer();
    await publishExperiments(kafka, [experiment('sdk-agree'), experiment('sdk-disagree')]);
    const env = {
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: kafka.ns.keyPrefix,
      AGGREGATOR_WINDOW_MS: '1000',
      AGGREGATOR_PARTIAL_SNAPSHOT_MS: '300',
      SENTINEL_EVALUATE_INTERVAL_MS: '300',
      SENTINEL_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS),
      ...commandKeys.env,
      SENTINEL_APPLIER_KEYS_FILE: applierKeys.trustedKeysFile,
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    for (const app of ['comparator', 'aggregator', 'sentinel']) {
      const child = spawnTs(join(APPS, app, 'src', 'main.ts'), env);
      const keep = (d: Buffer) => (logs = `${logs}[${app}] ${d.toString()}`.slice(-6000));
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      children.push(child);
    }
    producer = await kafka.client.producer();
    publisher = new PairPublisher({ producer, topic: kafka.topics.pairs, lingerMs: 10 });
  });

  afterAll(async () => {
    clearInterval(traffic);
    await Promise.all(followers.map((f) => f.stop()));
    await publisher?.close();
    await producer?.disconnect();
    await Promise.all(
      children.map((child) => {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        return exited;
      }),
    );
    await redis?.stop();
    await kafka?.close();
  });

  const read = async <T>(topic: string, parse: (v: unknown) => T): Promise<T[]> => {
    const count = (await kafka.admin.topicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    if (count === 0) return [];
    return (await kafka.readAll(topic, count, 30_000)).map((r) => parse(JSON.parse(r.value?.toString() ?? 'null')));
  };

  async function inProcess(id: string, shadow: RateLimitPolicy) {
    const adaptive = new Adaptive<RateLimitPolicy>({ name: 'current', limit: 10 }, shadow);
    const exp = new Experiment({ experimentId: id, sink: publisher, endpoint: 'rate-limit.check', timeoutMs: 500, maxInFlight: 64 });
    const follower = new CommandFollower({
      client: kafka.client,
      producer,
      topics: { commands: kafka.topics.commands, acks: kafka.topics.acks },
      experimentId: id,
      target: adaptiveTarget(adaptive, exp),
      appliedBy: `sdk-int:${id}`,
      trustedKeys: commandKeys.trusted,
      ackKey: applierKeys.signer,
      groupId: kafka.ns.groupId(`follower-${id}`),
    });
    followers.push(follower);
    await follower.start();
    return { adaptive, exp, follower };
  }

  it('promotes an agreeing in-process candidate into the Adaptive, rolls a disagreeing one back, and acknowledges both', async () => {
    const agree = await inProcess('sdk-agree', { name: 'next', limit: 20 });
    const disagree = await inProcess('sdk-disagree', { name: 'strict', limit: 0 });
    let tick = 0;
    traffic = setInterval(() => {
      for (const side of [agree, disagree]) {
        for (let i = 0; i < 10; i += 1) {
          const used = (tick + i) % 10;
          const { primary, shadow } = side.adaptive.sides();
          void side.exp.run({ control: () => allow(primary, used), candidate: shadow && (() => allow(shadow, used)), key: `tenant-${tick}-${i}` });
        }
      }
      tick += 1;
    }, 100);

    await waitFor(() => agree.adaptive.get().name === 'next' && disagree.follower.counters().applied > 0, {
      timeoutMs: 100_000,
      intervalMs: 250,
      what: () =>
        `the promotion of sdk-agree and the rollback of sdk-disagree (agree: ${JSON.stringify(agree.adaptive.read())}, ${JSON.stringify(agree.follower.counters())}; disagree: ${JSON.stringify(disagree.follower.counters())}; pairs ${JSON.stringify(publisher.counters())}) ${logs}`,
    });

    // The agreeing candidate is now what the process serves; the old primary is kept for a rollback.
    expect(agree.adaptive.read()).toMatchObject({ primary: { name: 'next' }, shadow: undefined, snapshot: { name: 'current' }, stage: 'promoted', weight: 100 });
    // The disagreeing one was rolled back and the primary never changed.
    expect(disagree.adaptive.get()).toEqual({ name: 'current', limit: 10 });
    expect(disagree.adaptive.shadow()).toEqual({ name: 'strict', limit: 0 });
    expect(disagree.follower.counters()).toMatchObject({ applied: 1, failed: 0 });
    expect(publisher.counters()).toMatchObject({ dropped: 0, failed: 0, invalid: 0 });

    const commands = (await read<Command>(kafka.topics.commands, (v) => commandSchema.parse(v))).filter((c) => c.experimentId.startsWith('sdk-'));
    const ofAgree = commands.filter((c) => c.experimentId === 'sdk-agree').map((c) => [c.action, c.fromStage, c.toStage]);
    expect(ofAgree).toEqual([
      ['promote', 'shadow', 'canary'],
      ['promote', 'canary', 'promoted'],
    ]);
    const rollback = commands.find((c) => c.experimentId === 'sdk-disagree');
    expect(rollback).toMatchObject({ action: 'rollback', fromStage: 'shadow', toStage: 'shadow' });

    let acks: Ack[] = [];
    await waitFor(
      async () => {
        acks = await read<Ack>(kafka.topics.acks, (v) => ackSchema.parse(v));
        return acks.length >= commands.length;
      },
      { timeoutMs: 30_000, what: () => `an ack per command (acks: ${acks.map((a) => a.commandId).join(', ')})` },
    );
    expect(acks.map((a) => [a.commandId, a.result, a.appliedBy]).sort()).toEqual(commands.map((c) => [c.id, 'applied', `sdk-int:${c.experimentId}`]).sort());

    // The acks, not the deadline, cleared the sentinel's pending acknowledgements: a deadline that
    // passed would have raised its alert before being cleared, and there is none.
    const sentinelRedis = new Redis(redis.url);
    try {
      const pending = new SentinelStateStore(sentinelRedis, kafka.ns.keyPrefix);
      await waitFor(async () => (await pending.overdueAcks(Number.MAX_SAFE_INTEGER)).length === 0, {
        timeoutMs: ACK_TIMEOUT_MS,
        intervalMs: 200,
        what: 'the sentinel to clear its ack deadlines',
      });
    } finally {
      sentinelRedis.disconnect();
    }
    const alerts = await read<Alert>(kafka.topics.alerts, (v) => alertSchema.parse(v));
    expect(alerts.filter((a) => a.kind === 'command-unacknowledged')).toEqual([]);
  });
});
