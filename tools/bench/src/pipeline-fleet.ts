// The whole fleet for the fleet-wide benchmarks: the five services as processes on the local broker,
// a private redis-server, the demo's shop API, and two JSON targets (candidate and secondary) with
// no service time of their own, so that what is measured is the fleet.
import { join } from 'node:path';
import { readAggregate } from '@penumbra/aggregates';
import { findWorkspaceRoot } from '@penumbra/config';
import { type ExperimentSpec, experimentSpecSchema, trafficRecordSchema } from '@penumbra/contracts';
import { type DemoStack, demoExperiment, demoNames, startDemoStack } from '@penumbra/demo';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, publishExperiments } from '@penumbra/kafka-testing';
import { type RedisClient, createRedis } from '@penumbra/redis';
import { startRedisServer, waitFor } from '@penumbra/testing';
import { startTarget } from './target-process';

export const WINDOW_MS = 1000;

type Captured = { path: string; status: number; headers: Record<string, string>; body: string };

/** An experiment that mirrors everything of one service as fast as the candidate allows and never decides. */
export function measuringExperiment(id: string, service: string, candidate: string, secondary: string): ExperimentSpec {
  const base = demoExperiment(id, candidate, secondary);
  return experimentSpecSchema.parse({
    ...base,
    target: { service, methods: ['GET'] },
    shadow: { ...base.shadow, rateLimitPerSec: 1_000_000, maxInFlight: 64, onOverload: 'backpressure' },
    policy: { ...base.policy, stages: base.policy.stages.map((s) => ({ ...s, minSamples: 100_000_000 })) },
  });
}

/** Real answers of the API, so that the captured exchanges replay to a matching candidate. */
async function capture(primaryUrl: string): Promise<Captured[]> {
  const paths = Array.from({ length: 20 }, (_, i) => `/products/${i + 1}`);
  return Promise.all(
    paths.map(async (path) => {
      const res = await fetch(`${primaryUrl}${path}`);
      return { path, status: res.status, headers: { 'content-type': res.headers.get('content-type') ?? 'application/json' }, body: await res.text() };
    }),
  );
}

export interface BenchFleet {
  kafka: TestKafka;
  demo: DemoStack;
  runTag: string;
  keyPrefix: string;
  reader: RedisClient;
  targets: { candidate: string; secondary: string };
  progress(text: string): void;
  /** Captured exchanges n = from … from + count - 1 of `service`, encoded for the traffic topic (or `topic`). */
  trafficMessages(service: string, from: number, count: number, ts: number, topic?: string): ReturnType<typeof encodeEvent>[];
  /** Pairs the aggregator has counted for an experiment. */
  pairsOf(experimentId: string): Promise<number>;
  /** Publishes measuring experiments (one per service) and waits until the fleet counted a first exchange of each. */
  startMeasuring(experiments: Array<{ spec: ExperimentSpec; service: string }>): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchFleet(name: string): Promise<BenchFleet> {
  const root = findWorkspaceRoot(__dirname);
  const kafka = await createTestKafka(name);
  const stops: Array<() => Promise<unknown>> = [() => kafka.close()];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    const redisServer = await startRedisServer();
    stops.push(() => redisServer.stop());
    const runTag = kafka.ns.id.replace(new RegExp(`^t-${name}-`), '');
    const names = {
      ...demoNames(root, 'clean'),
      runId: runTag,
      topicPrefix: kafka.ns.topicPrefix,
      keyPrefix: kafka.ns.keyPrefix,
      groupPrefix: `${kafka.ns.id}.`,
      dir: join(root, '.penumbra', 'bench', runTag),
    };
    const progress = (t: string) => process.stderr.write(`· ${t}\n`);
    const demo = await startDemoStack({
      root,
      names,
      scenario: 'clean',
      kafka: kafka.client,
      producer: kafka.producer,
      brokers: kafka.brokers,
      redisUrl: redisServer.url,
      progress,
      env: { LOG_LEVEL: 'error' },
    });
    stops.push(() => demo.stop());
    const reader = createRedis({ url: redisServer.url, tls: false, keyPrefix: '', connectionName: name });
    await reader.connect();
    stops.push(() => reader.quit());
    const [target, second] = await Promise.all([startTarget(), startTarget()]);
    stops.push(
      async () => target.stop(),
      async () => second.stop(),
    );
    const answers = await capture(target.url);
    const trafficMessages = (service: string, from: number, count: number, ts: number, topic = kafka.topics.traffic) =>
      Array.from({ length: count }, (_, k) => {
        const n = from + k;
        const a = answers[((n % answers.length) + answers.length) % answers.length]!;
        const record = trafficRecordSchema.parse({
          type: 'traffic.v1',
          id: `${service}-${n}`,
          ts,
          service,
          request: { method: 'GET', path: a.path, query: '', headers: { accept: 'application/json' } },
          response: { status: a.status, headers: a.headers, body: { encoding: 'utf8', data: a.body }, latencyMs: 3 },
          attributes: { tenant: `t${n % 3}` },
        });
        return encodeEvent(trafficRecordSchema, record, topic, record.id);
      });
    const pairsOf = async (experimentId: string) => (await readAggregate(reader, { prefix: names.keyPrefix, windowMs: WINDOW_MS }, experimentId)).counts.pairs;
    return {
      kafka,
      demo,
      runTag,
      keyPrefix: names.keyPrefix,
      reader,
      targets: { candidate: target.url, secondary: second.url },
      progress,
      trafficMessages,
      pairsOf,
      async startMeasuring(experiments) {
        await publishExperiments(
          kafka,
          experiments.map((e) => e.spec),
          demo.operator,
        );
        // The mirror has the experiments once a first record of each is counted.
        for (const { spec, service } of experiments) {
          await kafka.send(trafficMessages(service, -1, 1, Date.now()));
          await waitFor(async () => (await pairsOf(spec.id)) >= 1, { timeoutMs: 300_000, what: `the fleet to count a first pair of ${spec.id}` });
        }
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
