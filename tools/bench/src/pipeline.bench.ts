// The whole fleet: the five services as processes on the local broker, a private redis-server and
// the demo's shop API as candidate and secondary. It reports end-to-end records/s from the traffic
// topic to Redis windows next to a bare three-hop consume-and-produce chain over the same records,
// the freshness (capture to counted in Redis) at a fixed rate, and the time from the start of
// traffic to the sentinel's decision.
import { type ExperimentRecord } from '@penumbra/contracts';
import { LoadGenerator, demoExperiment } from '@penumbra/demo';
import { readExperimentStatus, verdictOf } from '@penumbra/insight';
import { publishExperiments } from '@penumbra/kafka-testing';
import { waitFor } from '@penumbra/testing';
import { bareChain, steadyRate } from './kafka-bench';
import { percentile, sampleCounts } from './pipeline-clock';
import { measuringExperiment, startBenchFleet } from './pipeline-fleet';
import { report } from './report';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? '20000');
const FRESH_RATE = Number(process.env['BENCH_FRESH_RATE'] ?? '1000');
const FRESH_SECONDS = Number(process.env['BENCH_FRESH_SECONDS'] ?? '15');
const DECISION_RATE = Number(process.env['BENCH_DECISION_RATE'] ?? '200');
const FINAL = new Set(['promoted', 'rolled_back', 'killed']);

async function main(): Promise<void> {
  const fleet = await startBenchFleet('bench-pipeline');
  const { kafka, demo, runTag, reader, progress, trafficMessages, pairsOf } = fleet;
  try {
    const throughput = measuringExperiment(`throughput-${runTag}`, 'bench-throughput', fleet.targets.candidate, fleet.targets.secondary);
    const fresh = measuringExperiment(`fresh-${runTag}`, 'bench-fresh', fleet.targets.candidate, fleet.targets.secondary);
    await fleet.startMeasuring([
      { spec: throughput, service: 'bench-throughput' },
      { spec: fresh, service: 'bench-fresh' },
    ]);

    progress(`end-to-end: ${RECORDS} captured exchanges through mirror, comparator and aggregator`);
    const endToEnd = steadyRate(async () => (await pairsOf(throughput.id)) - 1, RECORDS);
    for (let i = 0; i < RECORDS; i += 500) await kafka.send(trafficMessages('bench-throughput', i, Math.min(500, RECORDS - i), Date.now()));
    const ours = await endToEnd;
    progress('bare chain: the same records through three consume-and-produce hops');
    const bare = await bareChain(kafka, 3, RECORDS, (topic, from, count) => trafficMessages('bench-throughput', from, count, Date.now(), topic));

    progress(`freshness: ${FRESH_RATE} exchanges/s for ${FRESH_SECONDS} s`);
    const sent: number[] = [];
    const total = FRESH_RATE * FRESH_SECONDS;
    // Sampled while sending: a count first seen only after the last send would date every earlier pair to then.
    const counting = sampleCounts(async () => (await pairsOf(fresh.id)) - 1).until(total);
    counting.catch(() => undefined);
    const started = performance.now();
    while (sent.length < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * FRESH_RATE) + 1);
      if (due > sent.length) {
        const now = performance.now();
        const from = sent.length;
        sent.push(...Array.from({ length: due - from }, () => now));
        await kafka.send(trafficMessages('bench-fresh', from, due - from, Date.now()));
      } else await new Promise((r) => setTimeout(r, 5));
    }
    const countedAt = await counting;
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
        const d = verdictOf(await readExperimentStatus(reader, fleet.keyPrefix, record).catch(() => undefined)).decision;
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
    await fleet.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
