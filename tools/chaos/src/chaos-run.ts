import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { readAggregate, aggregatesMarkerKey } from '@penumbra/aggregates';
import { MIRROR_COUNT_METRICS, metricObservationSchema, pairSchema, trafficRecordSchema } from '@penumbra/contracts';
import { LoadGenerator } from '@penumbra/demo';
import { FLEET_SERVICES, type FleetService, waitForFleet } from '@penumbra/fleet';
import { readExperimentStatus, verdictOf } from '@penumbra/insight';
import { decodeRecord } from '@penumbra/kafka';
import { waitFor } from '@penumbra/testing';
import { type ChaosStack, startChaosStack } from './chaos-stack';
import { type FaultOutcome, killProcess, restartLocalBroker } from './faults';
import { type ChaosRecord, hostileCorpus } from './hostile-corpus';
import { type CaseResult, classify, locate, parseAuditedInvalid, parseDeadLetters, readTopic } from './ledger';
import { type ChaosResult, type GroupOffsets, committedOffsets, consumingGroups } from './chaos-result';
import { ATTACKED, type Attacked, COPIED, type RecordContext } from './records';

export interface ChaosOptions {
  root: string;
  /** The e2e variant: fewer records per failure class and fewer samples per stage. */
  short: boolean;
  progress: (text: string) => void;
}

const FINAL = new Set(['promoted', 'rolled_back', 'killed']);
/** Generous: on a loaded machine a restarted service can take minutes to rejoin its groups; slowness alone is not a failure. */
const READY_TIMEOUT_MS = 600_000;
const EXPECTED = 'promoted';

async function copyFleetOutput(s: ChaosStack): Promise<RecordContext['copied']> {
  const copied: RecordContext['copied'] = {};
  for (const key of ATTACKED.filter((k) => COPIED.has(k))) {
    const [first] = await s.tk.readAll(s.topicOf(key), 1, 300_000);
    copied[key] = JSON.parse(first?.value?.toString('utf8') ?? '{}') as Record<string, unknown>;
  }
  copied.experiments = { spec: s.probe };
  return copied;
}

async function publish(s: ChaosStack, corpus: ChaosRecord[], refused: Map<string, string>): Promise<void> {
  const batches = new Map<string, ChaosRecord[]>();
  for (const r of corpus) batches.set(r.batch, [...(batches.get(r.batch) ?? []), r]);
  for (const batch of batches.values()) {
    await s.tk
      .send(batch.map((r) => ({ topic: s.topicOf(r.topic), key: r.key, value: r.value, headers: r.headers })))
      .catch((err: Error) => batch.forEach((r) => refused.set(r.caseId, err.message.slice(0, 300))));
  }
}

async function killService(s: ChaosStack, service: FleetService): Promise<FaultOutcome> {
  const fault = `SIGKILL ${service}`;
  const before = s.demo.fleet.pids()[service];
  if (before === undefined) return { fault, outcome: 'no process to kill', ok: false };
  const started = Date.now();
  killProcess(before);
  try {
    await waitFor(() => (s.demo.fleet.pids()[service] ?? before) !== before, { timeoutMs: READY_TIMEOUT_MS, what: `${service} to be restarted by the supervisor` });
    await waitForFleet({ [service]: s.demo.ports[service] }, READY_TIMEOUT_MS);
    return {
      fault,
      outcome: `restarted by the supervisor (pid ${before} → ${s.demo.fleet.pids()[service]}), ready after ${Math.round((Date.now() - started) / 1000)} s`,
      ok: true,
    };
  } catch (err) {
    return { fault, outcome: (err as Error).message, ok: false };
  }
}

async function afterRestart(s: ChaosStack, fault: string, inject: () => Promise<FaultOutcome | undefined>): Promise<FaultOutcome> {
  const started = Date.now();
  try {
    const skipped = await inject();
    if (skipped) return skipped;
    await waitForFleet(s.demo.ports, READY_TIMEOUT_MS);
    return { fault, outcome: `every service ready again ${Math.round((Date.now() - started) / 1000)} s after the restart began`, ok: true };
  } catch (err) {
    return { fault, outcome: (err as Error).message, ok: false };
  }
}

function faultPlan(s: ChaosStack, root: string): Array<() => Promise<FaultOutcome>> {
  return [
    ...FLEET_SERVICES.map((service) => () => killService(s, service)),
    () =>
      afterRestart(s, 'broker restart', async () => {
        const r = await restartLocalBroker(root, s.tk.brokers);
        return r.skipped ? r : undefined;
      }),
    () => afterRestart(s, 'redis restart', async () => void (await s.redis.restart())),
  ];
}

async function waitForDecision(s: ChaosStack, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const verdict = verdictOf(await readExperimentStatus(s.reader, s.keyPrefix, s.main).catch(() => undefined));
    if (FINAL.has(verdict.decision) || Date.now() > deadline) return verdict.decision;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function auditVerify(root: string, s: ChaosStack): Promise<{ ok: boolean; detail: string }> {
  const env = {
    ...process.env,
    KAFKA_BROKERS: s.tk.brokers.join(','),
    TOPIC_PREFIX: s.tk.ns.topicPrefix,
    REDIS_URL: s.redis.url,
    REDIS_KEY_PREFIX: s.keyPrefix,
    PENUMBRA_AUDIT_KEYS_FILE: s.demo.auditKeysFile,
  };
  return new Promise((resolve) =>
    execFile(process.execPath, [join(root, 'apps', 'cli', 'bin', 'penumbra.cjs'), 'audit', 'verify', s.main.experimentId], { env, timeout: 180_000 }, (err, stdout, stderr) =>
      resolve({ ok: err === null, detail: `${stdout}${stderr}`.trim().split('\n').slice(-3).join(' | ').slice(0, 400) }),
    ),
  );
}

/** Runs the fleet on the demo's clean scenario, attacks every consumed topic, injects the faults, and gathers what the checks need. */
export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const s = await startChaosStack(o.root, o.short ? 600 : 1500, o.progress);
  const load = new LoadGenerator(s.demo.teeUrl, o.short ? 60 : 100);
  try {
    load.start();
    o.progress('production traffic flowing; waiting for the fleet to produce pairs, diffs and aggregates to copy');
    const copied = await copyFleetOutput(s);
    const faults = faultPlan(s, o.root);
    const faultOutcomes: FaultOutcome[] = [];
    const refused = new Map<string, string>();
    const records: ChaosRecord[] = [];
    for (const [i, topic] of ATTACKED.entries()) {
      const corpus = hostileCorpus(topic, s.runTag, { probeExperiment: s.probe.id, probeService: 'chaos-probe', now: Date.now(), copied }, o.short);
      records.push(...corpus);
      await publish(s, corpus, refused);
      o.progress(`${topic}: ${corpus.filter((r) => !r.probe).length} hostile records and ${corpus.filter((r) => r.probe).length} probes published`);
      const fault = faults[i];
      if (fault) {
        faultOutcomes.push(await fault());
        o.progress(`fault: ${faultOutcomes[faultOutcomes.length - 1]?.fault}: ${faultOutcomes[faultOutcomes.length - 1]?.outcome}`);
      }
    }
    o.progress('every record and fault in; waiting for the decision');
    const decision = await waitForDecision(s, READY_TIMEOUT_MS);
    await load.stop();
    o.progress(`decision: ${decision}; waiting for every consumer to commit what it was given`);

    const groups = consumingGroups(s, await s.reader.get(aggregatesMarkerKey(s.keyPrefix)));
    const offsets: Partial<Record<Attacked, GroupOffsets>> = {};
    for (const topic of ATTACKED) offsets[topic] = await committedOffsets(s, topic, groups, READY_TIMEOUT_MS);

    const dlq = parseDeadLetters(await readTopic(s.tk.client, s.tk.admin, s.tk.topics.dlq));
    const audited = parseAuditedInvalid(await readTopic(s.tk.client, s.tk.admin, s.tk.topics.audit));
    const cases: CaseResult[] = [];
    const consumedByTopic = new Map<Attacked, Awaited<ReturnType<typeof readTopic>>>();
    for (const topic of ATTACKED) {
      const consumed = await readTopic(s.tk.client, s.tk.admin, s.topicOf(topic));
      consumedByTopic.set(topic, consumed);
      const located = locate(
        records.filter((r) => r.topic === topic),
        consumed,
        refused,
      );
      cases.push(...located.map((r) => classify(r, s.topicOf(topic), dlq, offsets[topic]?.committed ?? new Map(), audited)));
    }

    const captured = new Set<string>();
    for (const r of consumedByTopic.get('traffic') ?? []) {
      const d = decodeRecord(r.value, trafficRecordSchema);
      if (d.ok && d.value.service === 'shop') captured.add(d.value.id);
    }
    const mirrored = new Set<string>();
    for (const r of consumedByTopic.get('pairs') ?? []) {
      const d = decodeRecord(r.value, pairSchema);
      if (d.ok && d.value.experimentId === s.main.experimentId) mirrored.add(d.value.trafficId);
    }
    // The mirror's own per-reason skip counts (deltas it publishes as metrics) say why a captured request made no pair.
    const skipped: Record<string, number> = {};
    const skipPrefix = `${MIRROR_COUNT_METRICS.skipped}_`;
    for (const r of consumedByTopic.get('metrics') ?? []) {
      const d = decodeRecord(r.value, metricObservationSchema);
      if (!d.ok || d.value.experimentId !== s.main.experimentId || !d.value.name.startsWith(skipPrefix)) continue;
      const reason = d.value.name.slice(skipPrefix.length);
      skipped[reason] = (skipped[reason] ?? 0) + d.value.value;
    }
    const counted = (await readAggregate(s.reader, { prefix: s.keyPrefix, windowMs: 1000 }, s.main.experimentId)).counts.pairs;
    const audit = await auditVerify(o.root, s);
    const fleet = await waitForFleet(s.demo.ports, READY_TIMEOUT_MS).then(
      () => ({ ready: true, detail: `ready: ${FLEET_SERVICES.join(', ')}` }),
      (err: Error) => ({ ready: false, detail: err.message }),
    );
    return {
      experimentId: s.main.experimentId,
      topicPrefix: s.tk.ns.topicPrefix,
      keyPrefix: s.keyPrefix,
      faults: faultOutcomes,
      cases,
      decision,
      expectedDecision: EXPECTED,
      coverage: { captured: captured.size, mirrored: [...captured].filter((id) => mirrored.has(id)).length, skipped },
      aggregates: { counted, distinctPairs: mirrored.size },
      audit,
      fleet,
      lagging: Object.entries(offsets).flatMap(([topic, g]) => (g.behind ? [`${topic}: ${g.behind}`] : [])),
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await load.stop();
    await s.stop();
  }
}
