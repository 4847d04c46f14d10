// The whole fleet: the five services as processes on the local broker, a private redis-server and
// the demo's shop API as candidate and secondary. It reports end-to-end records/s from the traffic
// topic to Redis windows next to a bare three-hop consume-and-produce chain over the same records,
// the freshness (capture to counted in Redis) at a fixed rate, and the time from the start of
// traffic to the sentinel's decision.
import { join } from 'node:path';
import { readAggregate } from '@penumbra/aggregates';
import { findWorkspaceRoot } from '@penumbra/config';
import { type ExperimentRecord, type ExperimentSpec, experimentSpecSchema, trafficRecordSchema } from '@penumbra/contracts';
import { LoadGenerator, demoExperiment, demoNames, startDemoStack } from '@penumbra/demo';
import { readExperimentStatus, verdictOf } from '@penumbra/insight';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, publishExperiments } from '@penumbra/kafka-testing';
import { createRedis } from '@penumbra/redis';
import { startRedisServer, waitFor } from '@penumbra/testing';
import { bareChain, steadyRate } from './kafka-bench';
import { percentile, sampleCounts } from './pipeline-clock';
import { report } from './report';
import { startTarget } from './target-process';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? '20000');
const FRESH_RATE = Number(process.env['BENCH_FRESH_RATE'] ?? '1000');
const FRESH_SECONDS = Number(process.env['BENCH_FRESH_SECONDS'] ?? '15');
const DECISION_RATE = Number(process.env['BENCH_DECISION_RATE'] ?? '200');
const WINDOW_MS = 1000;
const FINAL = new Set(['promoted', 'rolled_back', 'killed']);

type Captured = { path: string; status: number; headers: Record<string, string>; body: string };

/** An experiment that mirrors everything of one service as fast as the candidate allows and never decides. */
function measuringExperiment(id: string, service: string, candidate: string, secondary: string): ExperimentSpec {
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

function trafficMessages(kafka: TestKafka, service: string, from: number, count: number, answers: Captured[], ts: number, topic = kafka.topics.traffic) {
  return Array.from({ length: count }, (_, k) => {
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
}

async function main(): Promise<void> {
  const root = findWorkspaceRoot(__dirname);
  const kafka = await createTestKafka('bench-pipeline');
  const redisServer = await startRedisServer();
  const stops: Array<() => Promise<unknown>> = [() => kafka.close(), () => redisServer.stop()];
  try {
    const runTag = kafka.ns.id.replace(/^t-bench-pipeline-/, '');
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
    const reader = createRedis({ url: redisServer.url, tls: false, keyPrefix: '', connectionName: 'bench-pipeline' });
    await reader.connect();
    stops.push(() => reader.quit());
    const pairsOf = async (experimentId: string) => (await readAggregate(reader, { prefix: names.keyPrefix, windowMs: WINDOW_MS }, experimentId)).counts.pairs;
    // The throughput and freshness phases replay to the benchmarks' JSON API (no service time of its own),
    // so that they measure the fleet; the decision phase uses the demo's shop API.
    const [target, second] = await Promise.all([startTarget(), startTarget()]);
    stops.push(
      async () => target.stop(),
      async () => second.stop(),
    );
    const answers = await capture(target.url);
    const throughput = measuringExperiment(`throughput-${runTag}`, 'bench-throughput', target.url, second.url);
    const fresh = measuringExperiment(`fresh-${runTag}`, 'bench-fresh', target.url, second.url);
    await publishExperiments(kafka, [throughput, fresh], demo.operator);
    // The mirror has the experiments once a first record of each is counted.
    for (const [spec, service] of [
      [throughput, 'bench-throughput'],
      [fresh, 'bench-fresh'],
    ] as const) {
      await kafka.send(trafficMessages(kafka, service, -1, 1, answers, Date.now()));
      await waitFor(async () => (await pairsOf(spec.id)) >= 1, { timeoutMs: 300_000, what: `the fleet to count a first pair of ${spec.id}` });
    }

    progress(`end-to-end: ${RECORDS} captured exchanges through mirror, comparator and aggregator`);
    const endToEnd = steadyRate(async () => (await pairsOf(throughput.id)) - 1, RECORDS);
    for (let i = 0; i < RECORDS; i += 500) await kafka.send(trafficMessages(kafka, 'bench-throughput', i, Math.min(500, RECORDS - i), answers, Date.now()));
    const ours = await endToEnd;
    progress('bare chain: the same records through three consume-and-produce hops');
    const bare = await bareChain(kafka, 3, RECORDS, (topic, from, count) => trafficMessages(kafka, 'bench-throughput', from, count, answers, Date.now(), topic));

    progress(`freshness: ${FRESH_RATE} exchanges/s for ${FRESH_SECONDS} s`);
    const sent: number[] = [];
    const counted = sampleCounts(async () => (await pairsOf(fresh.id)) - 1);
    const total = FRESH_RATE * FRESH_SECONDS;
    const started = performance.now();
    while (sent.length < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * FRESH_RATE) + 1);
      if (due > sent.length) {
        const now = performance.now();
        const from = sent.length;
        sent.push(...Array.from({ length: due - from }, () => now));
        await kafka.send(trafficMessages(kafka, 'bench-fresh', from, due - from, answers, Date.now()));
      } else await new Promise((r) => setTimeout(r, 5));
    }
    const countedAt = await counted.until(total);
    // One partition per topic keeps the order: the k-th pair counted is the k-th exchange captured.
    const lags = sent.map((t, i) => countedAt[i]! - t);

    progress(`decision: the demo's experiment, shop traffic at ${DECISION_RATE} requests/s through the capture tee`);
    const decided = demoExperiment(`decide-${runTag}`, demo.apis.candidate.url, demo.apis.secondary.url);
    await publishExperiments(kafka, [decided], demo.operator);
    const record: ExperimentRecord = { type: 'experiment.v1', id: `bench-${decided.id}`, ts: Date.now(), experimentId: decided.id, actor: 'bench', spec: decided };
    const load = new LoadGenerator(demo.teeUrl, DECISION_RATE);
    const trafficStart = performance.now();
    load.start();
    const decision = await waitFor(
      async () => {
        const d = verdictOf(await readExperimentStatus(reader, names.keyPrefix, record).catch(() => undefined)).decision;
        return FINAL.has(d) ? d : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 250, what: 'the sentinel to decide' },
    ).finally(() => load.stop());
    const decisionSeconds = (performance.now() - trafficStart) / 1000;

    const ratio = ours / bare;
    const p50 = percentile(lags, 0.5);
    const p99 = percentile(lags, 0.99);
    report(
      {
        bench: 'pipeline',
        unit: 'records/s',
        ours: Math.round(ours),
        peers: { 'bare three-hop chain': Math.round(bare) },
        ratio: Math.round(ratio * 1000) / 1000,
        records: RECORDS,
        freshness: { ratePerSec: FRESH_RATE, seconds: FRESH_SECONDS, p50Ms: Math.round(p50), p99Ms: Math.round(p99) },
        decision: { decision, seconds: Math.round(decisionSeconds * 10) / 10, ratePerSec: DECISION_RATE },
      },
      [
        ['records', `${RECORDS} captured exchanges, one partition per topic, candidate and secondary on this machine`],
        ['traffic → Redis windows', `${Math.round(ours)} records/s (mirror, comparator, aggregator as processes; steady state)`],
        ['bare three-hop chain', `${Math.round(bare)} records/s (consume and produce unchanged, three times)`],
        ['ratio', ratio.toFixed(3)],
        [`freshness at ${FRESH_RATE}/s`, `p50 ${Math.round(p50)} ms, p99 ${Math.round(p99)} ms (capture to counted in Redis)`],
        ['time to decision', `${decisionSeconds.toFixed(1)} s from the start of traffic at ${DECISION_RATE}/s: ${decision}`],
      ],
    );
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
