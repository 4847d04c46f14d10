import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHistory, verifyAuditTrail } from '@penumbra/audit';
import { type ExperimentRecord, commandSchema, experimentRecordSchema, signExperimentRecord, trustedKeysFromJson } from '@penumbra/contracts';
import { type ReportData, excessText, gatherReport, readExperimentStatus, renderHtml, renderMarkdown, renderStatus, verdictOf, verdictSummary } from '@penumbra/insight';
import { type KafkaClient, type TransactionalKafka, encodeEvent } from '@penumbra/kafka';
import { type FleetService } from '@penumbra/fleet';
import { type RedisClient } from '@penumbra/redis';
import { type DemoScenario } from './demo-api';
import { type CorpusDemoResult, runCorpusAct } from './demo-corpus';
import { demoExperiment } from './demo-experiment';
import { type DemoNames, type DemoStack, demoNames, startDemoStack } from './demo-stack';
import { LoadGenerator } from './load-generator';
import { REPLAY_DEMO, captureRetainedTraffic, liveSecondsFor, replayToExperiment } from './demo-replay';
import { PenumbraError } from '@penumbra/errors';

export interface DemoOutput {
  line(text: string): void;
  progress(text: string): void;
  /** Replaces the live view (a terminal redraws it in place). */
  view(lines: string[]): void;
}

export interface DemoOptions {
  root: string;
  scenario: DemoScenario;
  brokers: string[];
  redisUrl: string;
  kafka: KafkaClient;
  /** Reads the audit topic to its end. */
  log: TransactionalKafka;
  redis: RedisClient;
  out: DemoOutput;
  ratePerSec?: number;
  timeoutMs?: number;
  /** Run before the fleet starts, with the run's names (to grant its principals their topics, for example). */
  beforeFleet?: (names: DemoNames) => Promise<void>;
  /** Environment for one service over the shared one (its own Kafka credentials, for example). */
  serviceEnv?: Partial<Record<FleetService, Record<string, string>>>;
  /** Keeps the fleet running after the decision until this settles, to explore it. */
  holdAfterDecision?: (result: DemoResult) => Promise<void>;
}

export interface DemoResult {
  scenario: DemoScenario;
  experimentId: string;
  decision: ReportData['verdict']['decision'];
  stage: string;
  samples: number;
  matchRate: number | null;
  topDifferences: string[];
  auditVerified: boolean;
  report: string;
  seconds: number;
  topicPrefix: string;
  keyPrefix: string;
  /** The paths judged a regression, and the bound on the largest excess difference rate (per-path verdicts). */
  pathVerdicts?: { regressions: string[]; noise: number; undecided: number; maxExcessDiffRate: number };
  /** The corpus scenario: what the rolled-back build left in the corpus, and how the next build with the same bug fared. */
  corpus?: CorpusDemoResult;
  /** The replay scenario: requests replayed, seconds to the decision, and what live traffic would have needed. */
  replay?: { requests: number; decisionSeconds: number; liveSecondsNeeded: number };
}

const FINAL = new Set(['promoted', 'rolled_back', 'killed']);

/**
 * The whole loop on one machine: production traffic through a capture tee, mirrored to the
 * candidate and a secondary, compared, aggregated and judged by the sentinel, until it promotes
 * the candidate or rolls it back; then the differences, the audit trail and the report.
 */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const names = demoNames(o.root, o.scenario, started);
  const producer = await o.kafka.producer();
  let stack: DemoStack | undefined;
  const load = { current: undefined as LoadGenerator | undefined };
  try {
    await o.beforeFleet?.(names);
    stack = await startDemoStack({
      root: o.root,
      names,
      scenario: o.scenario,
      kafka: o.kafka,
      producer,
      brokers: o.brokers,
      redisUrl: o.redisUrl,
      progress: o.out.progress,
      ...(o.serviceEnv ? { serviceEnv: o.serviceEnv } : {}),
    });
    o.out.line(`console: ${stack.console.url} (log in as ${stack.console.user}, password ${stack.console.token})`);
    const replayed = o.scenario === 'replay';
    const retained = replayed ? await captureRetainedTraffic(stack.teeUrl, o.out.progress) : undefined;
    const spec = demoExperiment(names.experimentId, stack.apis.candidate.url, stack.apis.secondary.url, { replayFirst: replayed });
    const record: ExperimentRecord = signExperimentRecord(
      { type: 'experiment.v1', id: `apply-${names.runId}`, ts: Date.now(), experimentId: spec.id, actor: stack.operator.operator, spec },
      stack.operator,
    );
    await producer.send([encodeEvent(experimentRecordSchema, record, stack.topics.experiments, spec.id)]);
    o.out.progress(`experiment ${spec.id} applied: stages ${spec.policy.stages.map((s) => s.name).join(' → ')}`);

    const liveRate = replayed ? REPLAY_DEMO.liveRatePerSec : (o.ratePerSec ?? 150);
    load.current = new LoadGenerator(stack.teeUrl, liveRate);
    load.current.start();
    o.out.progress(`production traffic: ${liveRate} requests/s through the capture tee`);
    const decidingFrom = Date.now();
    const replay = retained ? replayToExperiment({ kafka: o.kafka, record, topics: stack.topics, window: retained, progress: o.out.progress }) : undefined;
    // A failed replay must not leave the decision loop waiting for evidence that never comes.
    const replayFailed = replay?.then(
      () => undefined,
      (err: unknown) => err,
    );

    const deadline = started + (o.timeoutMs ?? 170_000);
    let verdict = verdictOf(undefined);
    while (!FINAL.has(verdict.decision)) {
      if (Date.now() > deadline)
        throw new PenumbraError(`no decision within ${Math.round((o.timeoutMs ?? 170_000) / 1000)} s; the fleet's logs are in ${join(names.dir, 'fleet.log')}`, {
          code: 'DEMO_NO_DECISION',
          retriable: false,
          context: { timeoutMs: o.timeoutMs ?? 170_000 },
        });
      await new Promise((r) => setTimeout(r, 1000));
      const failure = replayFailed ? await Promise.race([replayFailed, Promise.resolve(undefined)]) : undefined;
      if (failure !== undefined) throw failure;
      const status = await readExperimentStatus(o.redis, names.keyPrefix, record);
      verdict = verdictOf(status);
      const s = load.current.stats;
      o.out.view([
        `penumbra demo (${o.scenario}) · ${Math.round((Date.now() - started) / 1000)} s · traffic ${s.sent} sent, ${s.failed} failed`,
        '',
        ...renderStatus(status, Date.now()),
      ]);
    }
    await load.current.stop();
    const decisionSeconds = (Date.now() - decidingFrom) / 1000;
    o.out.line(`decision: ${verdict.decision.replace('_', ' ')} at stage ${verdict.stage}: ${verdict.summary}`);
    const replayResult = replay ? await replay : undefined;
    const corpus = o.scenario === 'corpus' ? await runCorpusAct({ kafka: o.kafka, log: o.log, redis: o.redis, producer, stack, names, progress: o.out.progress }) : undefined;
    if (corpus) o.out.line(`the next build with the same bug: ${corpus.decision.replace('_', ' ')} at stage ${corpus.stage}, ${corpus.seconds} s after its corpus replay began`);
    if (replayResult) {
      const liveSeconds = liveSecondsFor(spec.policy.stages[0]?.minSamples ?? 0);
      o.out.line(
        `decided in ${decisionSeconds.toFixed(0)} s from retained traffic (${replayResult.done} requests replayed in all); at the live ${REPLAY_DEMO.liveRatePerSec} requests/s, the stage's ${spec.policy.stages[0]?.minSamples} samples alone would take ${liveSeconds} s`,
      );
    }

    const history = await waitForAudit(o.log, stack.topics.audit, spec.id);
    const verified = verifyAuditTrail(history, trustedKeysFromJson(JSON.parse(readFileSync(stack.auditKeysFile, 'utf8')))).ok;
    const status = await readExperimentStatus(o.redis, names.keyPrefix, record);
    const report = await gatherReport({
      redis: o.redis,
      windows: { prefix: names.keyPrefix, windowMs: 1000 },
      record,
      status,
      audit: { records: history.records, verified },
      from: started,
      to: Date.now() + 1000,
      now: Date.now(),
    });
    const reportPath = join(names.dir, 'report.html');
    writeFileSync(reportPath, renderHtml(report));
    writeFileSync(join(names.dir, 'report.md'), renderMarkdown(report));
    printSummary(o.out, report, reportPath, names.topicPrefix, names.keyPrefix);
    const result: DemoResult = {
      scenario: o.scenario,
      experimentId: spec.id,
      decision: report.verdict.decision,
      stage: report.verdict.stage,
      samples: report.counts.pairs,
      matchRate: report.matchRate,
      topDifferences: report.topDifferences.map((d) => d.path),
      ...(report.pathVerdicts
        ? {
            pathVerdicts: {
              regressions: report.pathVerdicts.verdicts.filter((v) => v.verdict === 'regression').map((v) => v.path),
              noise: report.pathVerdicts.noise,
              undecided: report.pathVerdicts.undecided,
              maxExcessDiffRate: report.pathVerdicts.maxExcessDiffRate,
            },
          }
        : {}),
      auditVerified: verified,
      report: reportPath,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      topicPrefix: names.topicPrefix,
      keyPrefix: names.keyPrefix,
      ...(corpus ? { corpus } : {}),
      ...(replayResult
        ? { replay: { requests: replayResult.done, decisionSeconds: Math.round(decisionSeconds), liveSecondsNeeded: liveSecondsFor(spec.policy.stages[0]?.minSamples ?? 0) } }
        : {}),
    };
    await o.holdAfterDecision?.(result);
    return result;
  } finally {
    await load.current?.stop();
    await stack?.stop();
    await producer.disconnect();
  }
}

/** The audit-sink writes the decision shortly after the sentinel takes it. */
async function waitForAudit(kafka: TransactionalKafka, topic: string, experimentId: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const history = await readHistory(kafka, topic, experimentId, 30_000);
    const decided = history.records.some((r) => {
      const c = commandSchema.safeParse(r.event);
      return r.eventType === 'command.v1' && c.success && (c.data.action === 'rollback' || c.data.action === 'kill' || c.data.toStage === 'promoted');
    });
    if (decided || Date.now() > deadline) return history;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function printSummary(out: DemoOutput, r: ReportData, reportPath: string, topicPrefix: string, keyPrefix: string): void {
  out.line('');
  out.line(`samples ${r.counts.pairs}, match rate ${r.matchRate === null ? 'n/a' : `${(100 * r.matchRate).toFixed(2)}%`}`);
  for (const l of r.latency) out.line(`latency ${l.side.padEnd(9)} p50 ${l.p50?.toFixed(1) ?? '-'} ms, p90 ${l.p90?.toFixed(1) ?? '-'} ms, p99 ${l.p99?.toFixed(1) ?? '-'} ms`);
  out.line('');
  out.line(r.topDifferences.length === 0 ? 'top differences: none left after noise cancellation' : 'top differences:');
  for (const d of r.topDifferences.slice(0, 5)) {
    const e = d.examples[0];
    out.line(`  ${d.endpoint} ${d.path}: ${d.count} pairs${e?.primary !== undefined ? `, e.g. ${e.primary} → ${e.candidate ?? '∅'}` : ''}`);
  }
  out.line('');
  if (r.pathVerdicts) {
    out.line(verdictSummary(r.pathVerdicts));
    for (const v of r.pathVerdicts.verdicts.filter((x) => x.verdict === 'regression').slice(0, 5))
      out.line(`  regression: ${v.endpoint} ${v.path}, excess ${excessText(v.excess)}`);
    out.line('');
  }
  out.line(`audit trail (${r.audit.records} records, chain ${r.audit.verified ? 'verified' : 'BROKEN'}):`);
  for (const t of r.audit.timeline.filter((t) => t.eventType === 'command.v1' || t.eventType === 'experiment.v1' || t.eventType === 'alert.v1').slice(-8))
    out.line(`  #${t.seq} ${t.actor}: ${t.summary}`);
  out.line('');
  out.line(`report: ${reportPath}`);
  out.line(`inspect later with TOPIC_PREFIX=${topicPrefix} REDIS_KEY_PREFIX=${keyPrefix} npx penumbra audit ${r.experimentId}`);
}
