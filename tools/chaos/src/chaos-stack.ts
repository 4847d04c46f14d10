import { join } from 'node:path';
import { type ExperimentRecord, type ExperimentSpec, TOPIC_KEYS, experimentSpecSchema } from '@penumbra/contracts';
import { type DemoStack, demoExperiment, demoNames, startDemoStack } from '@penumbra/demo';
import { type TestKafka, createTestKafka, publishExperiments } from '@penumbra/kafka-testing';
import { type RedisClient, createRedis } from '@penumbra/redis';
import { RestartableRedis } from './faults';
import { ATTACKED, type Attacked } from './records';

/** Room for the 5 MB hostile records: the broker's default limit is 1 MiB per message. */
export const CHAOS_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

export interface ChaosStack {
  runTag: string;
  tk: TestKafka;
  demo: DemoStack;
  redis: RestartableRedis;
  /** The suite's own client of the fleet's Redis (it reconnects across a Redis restart). */
  reader: RedisClient;
  topicOf(key: Attacked): string;
  keyPrefix: string;
  groupPrefix: string;
  main: ExperimentRecord;
  probe: ExperimentSpec;
  stop(): Promise<void>;
}

/**
 * The judged experiment: the demo's clean scenario (expected: promoted), with enough samples per
 * stage to outlast the faults. Its mirror waits for a slow candidate (`backpressure`, bounded by the
 * replay timeout) rather than shedding: the faults stall the candidate on two shared cores for
 * longer than `skip` tolerates, and what coverage checks is that faults lose nothing.
 */
export function chaosExperiments(runTag: string, candidate: string, secondary: string, minSamples: number): { main: ExperimentSpec; probe: ExperimentSpec } {
  const base = demoExperiment(`chaos-${runTag}`, candidate, secondary);
  const main = experimentSpecSchema.parse({
    ...base,
    shadow: { ...base.shadow, onOverload: 'backpressure' },
    policy: { ...base.policy, stages: base.policy.stages.map((s) => ({ ...s, minSamples })) },
  });
  const probeBase = demoExperiment(`chaos-probe-${runTag}`, candidate, secondary);
  // The probes' experiment never decides: its few dozen records stay far below its sample minimum.
  const probe = experimentSpecSchema.parse({
    ...probeBase,
    target: { service: 'chaos-probe', methods: ['GET'] },
    compare: { ...probeBase.compare, routes: ['/probe'] },
    policy: { ...probeBase.policy, stages: probeBase.policy.stages.map((s) => ({ ...s, minSamples: 5_000 })) },
  });
  return { main, probe };
}

export async function startChaosStack(root: string, minSamples: number, progress: (text: string) => void): Promise<ChaosStack> {
  const tk = await createTestKafka('chaos');
  const runTag = tk.ns.id.replace(/^t-chaos-/, '');
  const stops: Array<() => Promise<unknown>> = [() => tk.close()];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    const goreplay = await tk.createTopic('goreplay', 1);
    const redis = await RestartableRedis.start(join(root, '.penumbra', 'chaos', runTag, 'redis'));
    stops.push(() => redis.stop());
    stops.push(() => tk.admin.deleteTopics(TOPIC_KEYS.map((k) => tk.topics[k])));
    const names = {
      ...demoNames(root, 'clean'),
      runId: runTag,
      topicPrefix: tk.ns.topicPrefix,
      keyPrefix: tk.ns.keyPrefix,
      groupPrefix: `${tk.ns.id}.`,
      dir: join(root, '.penumbra', 'chaos', runTag),
    };
    const demo = await startDemoStack({
      root,
      names,
      scenario: 'clean',
      kafka: tk.client,
      producer: tk.producer,
      brokers: tk.brokers,
      redisUrl: redis.url,
      progress,
      // A member silent for 10 s (the demo's setting) is common on a loaded machine; losing the group then restarts the service.
      env: { GOREPLAY_TOPIC: goreplay, GOREPLAY_SERVICE: 'chaos-probe', KAFKA_SESSION_TIMEOUT_MS: '30000' },
    });
    stops.push(() => demo.stop());
    // After the demo's provisioning, which repairs drift: the attacked topics take records up to 8 MiB.
    const configs = { 'max.message.bytes': String(CHAOS_MAX_MESSAGE_BYTES) };
    await tk.provision(Object.fromEntries(ATTACKED.filter((k) => k !== 'goreplay').map((k) => [k, { configs }])));
    await tk.admin.setTopicConfigs(goreplay, configs);

    const reader = createRedis({ url: redis.url, tls: false, keyPrefix: '', connectionName: `chaos-${runTag}` });
    reader.on('error', () => undefined);
    await reader.connect();
    stops.push(() => reader.quit());

    const { main, probe } = chaosExperiments(runTag, demo.apis.candidate.url, demo.apis.secondary.url, minSamples);
    await publishExperiments(tk, [main, probe], demo.operator);
    progress(`experiments ${main.id} (judged) and ${probe.id} (probes) applied`);
    const record: ExperimentRecord = { type: 'experiment.v1', id: `chaos-${main.id}`, ts: Date.now(), experimentId: main.id, actor: 'chaos', spec: main };
    return {
      runTag,
      tk,
      demo,
      redis,
      reader,
      topicOf: (key) => (key === 'goreplay' ? goreplay : tk.topics[key]),
      keyPrefix: names.keyPrefix,
      groupPrefix: names.groupPrefix,
      main: record,
      probe,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
