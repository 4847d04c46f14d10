// Scale-out: the comparator and the aggregator, each with one and with two replicas on topics of
// four partitions, then a run where a second replica joins at a third of the records and the first
// leaves (SIGTERM, graceful drain) at two thirds. After the rebalances, the totals must be exact:
// a diff event for every pair fed to the comparator (redeliveries counted: it is at-least-once), and
// Redis windows holding exactly the diff events fed to the aggregator.
import { availableParallelism } from 'node:os';
import Redis from 'ioredis';
import { readAggregate } from '@penumbra/aggregates';
import { diffEventSchema, pairSchema } from '@penumbra/contracts';
import { type OutgoingMessage, encodeEvent } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, jsonPair, publishExperiments } from '@penumbra/kafka-testing';
import { startRedisServer, waitFor } from '@penumbra/testing';
import { apiResponse, changed } from './api-json';
import { aggregatorApplied, committed, startServiceProcess, steadyRate } from './kafka-bench';
import { report } from './report';
import { checkExactlyOnce, checkTotals, scaleGain } from './scale-exactness';

const RECORDS = Number(process.env['BENCH_SCALE_RECORDS'] ?? '20000');
const PARTITIONS = Number(process.env['BENCH_SCALE_PARTITIONS'] ?? '4');
// Time for a new group's replicas to join before records arrive, so the join is not in the rate.
const SETTLE_MS = 12_000;
const EXPERIMENT = 'scale';
const AGGREGATOR_WINDOW_MS = 10_000;

type Phase = 'one' | 'two' | 'rebalance';
const PHASES: Phase[] = ['one', 'two', 'rebalance'];

interface Stage {
  service: 'comparator' | 'aggregator';
  /** Records of a phase, keyed by their id. */
  messages(phase: Phase, from: number, count: number): OutgoingMessage[];
  /** Records the service has durably handled so far, over all phases. */
  progress(): Promise<number>;
}

const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

async function feed(kafka: TestKafka, stage: Stage, phase: Phase): Promise<void> {
  for (let i = 0; i < RECORDS; i += 500) await kafka.send(stage.messages(phase, i, Math.min(500, RECORDS - i)));
}

/** Runs the three phases of one stage; returns records/s with one and with two replicas. */
async function runPhases(kafka: TestKafka, stage: Stage, redisUrl: string): Promise<Record<'one' | 'two', number>> {
  const rates = { one: 0, two: 0 };
  for (const [index, phase] of PHASES.entries()) {
    const base = index * RECORDS;
    const done = async () => (await stage.progress()) - base;
    process.stderr.write(`· ${stage.service}: ${phase}\n`);
    if (phase !== 'rebalance') {
      const replicas = Array.from({ length: phase === 'one' ? 1 : 2 }, () => startServiceProcess(kafka, stage.service, redisUrl));
      try {
        await settle();
        const rate = steadyRate(done, RECORDS);
        await feed(kafka, stage, phase);
        rates[phase] = await rate;
      } finally {
        await Promise.all(replicas.map((r) => r.stop()));
      }
      continue;
    }
    const first = startServiceProcess(kafka, stage.service, redisUrl);
    const replicas = [first];
    try {
      await feed(kafka, stage, phase);
      await waitFor(async () => (await done()) >= RECORDS / 3, { timeoutMs: 600_000, what: `${stage.service} to handle a third of the records` });
      replicas.push(startServiceProcess(kafka, stage.service, redisUrl));
      await waitFor(async () => (await done()) >= (2 * RECORDS) / 3, { timeoutMs: 600_000, what: `${stage.service} to handle two thirds of the records` });
      await replicas.shift()?.stop();
      await waitFor(async () => (await done()) >= RECORDS, { timeoutMs: 600_000, what: `${stage.service} to handle every record after the rebalances` });
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
  }
  return rates;
}

function pairId(phase: Phase, n: number): string {
  return `${EXPERIMENT}:${phase}-${n}`;
}

async function comparatorStage(kafka: TestKafka, redisUrl: string) {
  await publishExperiments(kafka, [
    {
      id: EXPERIMENT,
      target: { service: 's' },
      shadow: { candidate: { baseUrl: 'http://127.0.0.1:1' } },
      compare: { ignore: ['$.meta.generatedAt'] },
      policy: { stages: [{ name: 'x' }] },
    },
  ]);
  const primary = apiResponse(1000, 1);
  const bodies = { primary, candidate: changed(primary), secondary: { ...primary, requestId: 'other' } };
  const stage: Stage = {
    service: 'comparator',
    messages: (phase, from, count) =>
      Array.from({ length: count }, (_, k) => {
        const p = jsonPair(EXPERIMENT, `${phase}-${from + k}`, bodies);
        return encodeEvent(pairSchema, p, kafka.topics.pairs, p.id);
      }),
    progress: () => committed(kafka, `${kafka.ns.id}.comparator`, kafka.topics.pairs),
  };
  const rates = await runPhases(kafka, stage, redisUrl);
  const produced = (await kafka.admin.topicOffsets(kafka.topics.diffs)).reduce((s, p) => s + Number(p.high), 0);
  const diffs = await kafka.readAll(kafka.topics.diffs, produced, 120_000);
  const ids = diffs.map((r) => diffEventSchema.parse(JSON.parse(r.value?.toString() ?? 'null')).id);
  const fed = PHASES.flatMap((phase) => Array.from({ length: RECORDS }, (_, n) => pairId(phase, n)));
  const found = checkExactlyOnce(fed, ids);
  // The comparator is at-least-once: a batch in hand when its partition moves is compared again by
  // the new owner. Lost or foreign diff events are failures; redelivered ones are counted, and the
  // aggregator drops them by event id (AGGREGATOR_DEDUPE_MS), which its own stage checks.
  const complete = found.missing.length === 0 && found.unexpected.length === 0;
  const redelivered = found.seen - found.expected;
  return {
    rates,
    exact: complete,
    verdict: complete
      ? `nothing lost; ${redelivered} diff events redelivered across the rebalances (at-least-once, dropped by id downstream)`
      : `NOT complete: ${JSON.stringify(found)}`,
    detail: { redelivered, ...(complete ? {} : { found }) },
  };
}

async function aggregatorStage(kafka: TestKafka, redisUrl: string) {
  const redis = new Redis(redisUrl);
  try {
    const now = Date.now();
    const stage: Stage = {
      service: 'aggregator',
      messages: (phase, from, count) =>
        Array.from({ length: count }, (_, k) => {
          const n = from + k;
          const e = diffEventSchema.parse({
            type: 'diff.v1',
            id: pairId(phase, n),
            ts: now - (n % 60) * 1000,
            experimentId: EXPERIMENT,
            endpoint: 'GET /items/:id',
            slice: { tenant: `t${n % 5}` },
            outcome: n % 10 === 0 ? 'mismatch' : 'match',
            statusMatch: true,
            status: { primary: 200, candidate: 200 },
            differences: n % 10 === 0 ? [{ path: '$.price', kind: 'changed', primary: '1', candidate: '2' }] : [],
            latencyMs: { primary: 5 + (n % 50), candidate: 6 + (n % 40) },
          });
          return encodeEvent(diffEventSchema, e, kafka.topics.diffs, e.id);
        }),
      progress: () => aggregatorApplied(redis, kafka.ns.keyPrefix),
    };
    const rates = await runPhases(kafka, stage, redisUrl);
    const counts = (await readAggregate(redis, { prefix: kafka.ns.keyPrefix, windowMs: AGGREGATOR_WINDOW_MS }, EXPERIMENT)).counts;
    const total = PHASES.length * RECORDS;
    const mismatches = PHASES.length * Math.ceil(RECORDS / 10);
    const totals = checkTotals({ pairs: total, mismatch: mismatches }, { pairs: counts.pairs, mismatch: counts.mismatch });
    return {
      rates,
      exact: totals.exact,
      verdict: totals.exact ? `exact: Redis windows hold the ${total} events fed, nothing lost, nothing counted twice` : `NOT exact: ${JSON.stringify(totals.differences)}`,
      detail: totals.exact ? {} : totals.differences,
    };
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const cores = availableParallelism();
  const results: Record<string, { rates: Record<'one' | 'two', number>; exact: boolean; verdict: string; detail: object }> = {};
  for (const [service, run] of [
    ['comparator', comparatorStage],
    ['aggregator', aggregatorStage],
  ] as const) {
    const kafka = await createTestKafka(`bench-scale-${service}`);
    const redis = await startRedisServer();
    try {
      await kafka.provision({ pairs: { partitions: PARTITIONS }, diffs: { partitions: PARTITIONS } });
      results[service] = await run(kafka, redis.url);
    } finally {
      await redis.stop();
      await kafka.close();
    }
  }
  const rows: Array<[string, string]> = [['records', `${RECORDS} per phase, ${PARTITIONS} partitions, ${cores} cores shared with the broker and Redis`]];
  const summary: Record<string, unknown> = {};
  for (const [service, r] of Object.entries(results)) {
    const gain = scaleGain(r.rates.one, r.rates.two, cores);
    summary[service] = {
      oneReplica: Math.round(r.rates.one),
      twoReplicas: Math.round(r.rates.two),
      speedUp: Math.round(gain.speedUp * 1000) / 1000,
      perAddedCore: Math.round(gain.perAddedCore * 1000) / 1000,
      exactAfterRebalance: r.exact,
      ...r.detail,
    };
    rows.push(
      [`${service}, 1 replica`, `${Math.round(r.rates.one)} records/s`],
      [
        `${service}, 2 replicas`,
        `${Math.round(r.rates.two)} records/s (×${gain.speedUp.toFixed(2)}; ${gain.perAddedCore >= 0 ? '+' : ''}${(gain.perAddedCore * 100).toFixed(0)}% per added core)`,
      ],
      [`${service}, join and leave`, r.verdict],
    );
  }
  const worst = Math.min(...Object.values(results).map((r) => r.rates.two / r.rates.one));
  report(
    {
      bench: 'scale',
      unit: 'records/s',
      ours: Math.round(worst * 1000) / 1000,
      peers: {},
      ratio: Math.round(worst * 1000) / 1000,
      records: RECORDS,
      partitions: PARTITIONS,
      cores,
      ...summary,
    },
    rows,
  );
  if (Object.values(results).some((r) => !r.exact)) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
