import { type ExperimentRecord, experimentRecordSchema, signExperimentRecord } from '@penumbra/contracts';
import { entriesOf, readCorpus, replayCorpus } from '@penumbra/corpus';
import { credentialPolicy } from '@penumbra/credentials';
import { PenumbraError } from '@penumbra/errors';
import { readExperimentStatus, verdictOf } from '@penumbra/insight';
import { type KafkaClient, type ProducerPort, type TransactionalKafka, encodeEvent } from '@penumbra/kafka';
import { parseDestinationPolicy } from '@penumbra/mirror-core';
import { type RedisClient } from '@penumbra/redis';
import { DEMO_SERVICE, demoExperiment } from './demo-experiment';
import { type DemoNames, type DemoStack } from './demo-stack';

/** What the corpus scenario adds: the paths saved from the rolled-back build, and how the next build fared. */
export interface CorpusDemoResult {
  saved: string[];
  requests: number;
  experimentId: string;
  decision: string;
  stage: string;
  /** From the corpus replay's start to the decision. */
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new PenumbraError(`${what} within ${timeoutMs / 1000} s`, { code: 'DEMO_CORPUS_TIMEOUT', retriable: false });
    await sleep(500);
  }
}

/**
 * The corpus scenario's second act: the first build was rolled back, and the traffic-mirror saved
 * the requests that showed its regression. A new build with the same bug is published with a first
 * stage of kind corpus; the corpus is replayed to it, and it is rolled back before any live stage.
 */
export async function runCorpusAct(o: {
  kafka: KafkaClient;
  log: TransactionalKafka;
  redis: RedisClient;
  producer: ProducerPort;
  stack: DemoStack;
  names: DemoNames;
  progress: (text: string) => void;
}): Promise<CorpusDemoResult> {
  const service = DEMO_SERVICE;
  // Saved when the paths were judged a regression, and again, with every example seen, on the rollback.
  const entries = await waitFor('no regression was saved to the corpus', 30_000, async () => {
    const found = entriesOf(await readCorpus(o.log, o.stack.topics.corpus, 10_000), service);
    return found.length > 0 ? found : undefined;
  });
  o.progress(`corpus: ${entries.map((e) => `${e.endpoint} ${e.path} (${e.requests.length} requests)`).join(', ')}`);
  const spec = demoExperiment(`${o.names.experimentId}-next`, o.stack.apis.candidate.url, o.stack.apis.secondary.url, { corpusFirst: true });
  const record: ExperimentRecord = signExperimentRecord(
    { type: 'experiment.v1', id: `apply-${o.names.runId}-next`, ts: Date.now(), experimentId: spec.id, actor: o.stack.operator.operator, spec },
    o.stack.operator,
  );
  await o.producer.send([encodeEvent(experimentRecordSchema, record, o.stack.topics.experiments, spec.id)]);
  o.progress(`experiment ${spec.id} applied, the same bug in a new build: stages ${spec.policy.stages.map((s) => s.name).join(' → ')}`);
  const started = Date.now();
  // The mirror loads the experiment from its topic before it replays: the replay builds its own engine from the record.
  const replayed = await replayCorpus({
    client: o.kafka,
    kafka: o.log,
    record,
    topics: { corpus: o.stack.topics.corpus, pairs: o.stack.topics.pairs },
    destinations: parseDestinationPolicy(['127.0.0.1/32']),
    credentials: credentialPolicy({}),
  });
  o.progress(`replayed ${replayed.requests} corpus requests to ${spec.id}: ${replayed.pairs} pairs in the "~corpus" rollup`);
  const verdict = await waitFor(`${spec.id} was not decided from its corpus stage`, 60_000, async () => {
    const v = verdictOf(await readExperimentStatus(o.redis, o.names.keyPrefix, record));
    return v.decision === 'in_progress' ? undefined : v;
  });
  return {
    saved: entries.map((e) => e.path),
    requests: replayed.requests,
    experimentId: spec.id,
    decision: verdict.decision,
    stage: verdict.stage,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
