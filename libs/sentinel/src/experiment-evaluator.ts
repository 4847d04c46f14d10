import { ALL_SLICES, type ExperimentRecord, type SigningKey, type TopicKey, isReplaySliceKey } from '@penumbra/contracts';
import { type WindowKeys, WindowTotals, pathHypotheses, pathRollupOf, readPathEvidence, slicesWithWindows } from '@penumbra/aggregates';
import { type ProducerPort } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import {
  evidenceSliceOf,
  type AlertDraft,
  type BreakerCounts,
  type Decision,
  type EvidenceInput,
  type PathEvidenceInput,
  type SliceState,
  evaluate,
  evidenceFromParts,
  initialSliceState,
  noSliceAlert,
  policyHash,
  stateFromCommands,
  usesPathMetrics,
} from '@penumbra/policy-core';
import { type RedisClient } from '@penumbra/redis';
import { type CommandHistory } from './command-history';
import { alertOf, commandOf, outboxOf } from './outputs';
import { type SentinelMetrics } from './sentinel-metrics';
import { type OutboxMessage, type SentinelStateStore } from '@penumbra/sentinel-state';

export interface EvaluatorDeps {
  redis: RedisClient;
  store: SentinelStateStore;
  producer: ProducerPort;
  topics: Record<TopicKey, string>;
  windows: WindowKeys;
  experiments: (id: string) => ExperimentRecord | undefined;
  /** The commands a slice was given, to rebuild its state when Redis has none. */
  history: CommandHistory;
  ackTimeoutMs: number;
  /** Signs every command the sentinel issues. */
  signer: SigningKey;
  stalledAfterMs: number;
  logger: Logger;
  metrics: SentinelMetrics;
  clock?: () => number;
}

/** One step's outcome for a slice, or undefined to leave it as it is. */
export type SliceStep = (state: SliceState, evidence: EvidenceInput, now: number) => { state: SliceState; decision?: Decision; alerts: AlertDraft[] } | undefined;

const MAX_CAS_ATTEMPTS = 5;
const SLICE_LOOKBACK_MS = 3_600_000;

/**
 * Runs the pure engine against the sentinel's stored state: loads a slice, sends whatever an
 * earlier change still owes, steps it, and writes the result by compare-and-set with what it owes
 * now; on a lost race it reloads and steps again. Work on one experiment is serialized in-process.
 */
export class ExperimentEvaluator {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly warned = new Set<string>();
  private readonly clock: () => number;
  /** Every evaluation reads a stage's windows again: only those changed since the last read are fetched. */
  private readonly totals: WindowTotals;

  constructor(private readonly deps: EvaluatorDeps) {
    this.clock = deps.clock ?? Date.now;
    this.totals = new WindowTotals(deps.redis, deps.windows);
  }

  /** Runs `work` after any earlier work on the same experiment. */
  serialize(experimentId: string, work: () => Promise<void>): Promise<void> {
    const prev = this.queues.get(experimentId) ?? Promise.resolve();
    const next = prev.then(work, work);
    const tail = next.catch(() => undefined);
    this.queues.set(experimentId, tail);
    void tail.then(() => {
      if (this.queues.get(experimentId) === tail) this.queues.delete(experimentId);
    });
    return next;
  }

  /** The slices an experiment is decided on: all of it, or each slice seen in the aggregates. */
  async slicesOf(record: ExperimentRecord): Promise<string[]> {
    if (!record.spec.slices.decidePerSlice) return [ALL_SLICES];
    const since = this.clock() - SLICE_LOOKBACK_MS;
    const seen = new Set((await slicesWithWindows(this.deps.redis, this.deps.windows, record.experimentId, { since })).filter((s) => !isReplaySliceKey(s)));
    for (const s of await this.deps.store.slicesOf(record.experimentId)) seen.add(s);
    const rollup = seen.delete(ALL_SLICES);
    if (seen.size === 0 && rollup) await this.warnNoSlices(record);
    return [...seen].sort();
  }

  /** Per-slice decisions that see only the "*" rollup decide nothing: say so, once an hour. */
  private async warnNoSlices(record: ExperimentRecord): Promise<void> {
    const now = this.clock();
    const draft = noSliceAlert(record.spec, now);
    const key = `${record.experimentId}:${draft.dedupeKey}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    if (this.warned.size > 10_000) this.warned.clear();
    this.deps.logger.warn('per-slice decisions see no slice', { experimentId: record.experimentId });
    await this.deps.producer.send([{ topic: this.deps.topics.alerts, key: record.experimentId, value: JSON.stringify(alertOf(record.experimentId, ALL_SLICES, draft, now)) }]);
  }

  async evaluateExperiment(experimentId: string): Promise<void> {
    const record = this.deps.experiments(experimentId);
    if (record === undefined || record.halted !== undefined) return;
    const { spec } = record;
    const hash = policyHash(spec.policy);
    for (const slice of await this.slicesOf(record)) {
      const timer = this.deps.metrics.evaluationSeconds.startTimer();
      const recent = await this.breakerCounts(record, slice);
      await this.step(record, slice, (state, evidence, now) =>
        evaluate({ policy: spec.policy, policyHash: hash, slice, state, evidence, now, recentPromotions: recent, stalledAfterMs: this.deps.stalledAfterMs }),
      );
      timer();
    }
  }

  /** What the experiment's circuit breaker and the fleet's count now. */
  private async breakerCounts(record: ExperimentRecord, slice: string): Promise<BreakerCounts> {
    const b = record.spec.policy.circuitBreaker;
    const now = this.clock();
    const own = await this.deps.store.experimentPromotionsSince(record.experimentId, now - b.windowSec * 1000);
    return { experiment: own.filter((p) => b.per === 'experiment' || p.slice === slice).length, fleet: await this.deps.store.promotionsSince(now - b.fleet.windowSec * 1000) };
  }

  async evidence(record: ExperimentRecord, slice: string, from: number, now: number): Promise<EvidenceInput> {
    const experimentId = record.experimentId;
    const merged = await this.totals.read(experimentId, slice, from, now + this.deps.windows.windowMs);
    const metrics: EvidenceInput['metrics'] = {};
    for (const [key, summary] of Object.entries(merged.metrics)) if (key.startsWith('candidate:')) metrics[key.slice('candidate:'.length)] = summary;
    const evidence = evidenceFromParts({ counts: merged.counts, ...merged.latency, metrics, window: { start: from, end: now } });
    if (!usesPathMetrics(record.spec.policy)) return evidence;
    return { ...evidence, paths: await this.pathEvidence(record, slice) };
  }

  /** The per-path counts are the experiment's since it began: a slice decided on its own reads those of all slices. */
  private async pathEvidence(record: ExperimentRecord, slice: string): Promise<PathEvidenceInput> {
    const read = await readPathEvidence(this.deps.redis, this.deps.windows, record.experimentId, pathRollupOf(slice));
    const s = record.spec.compare.verdicts;
    return { ...read, hypotheses: pathHypotheses(s.maxPaths, read.paths.length), fdr: s.fdr, alpha: s.alpha };
  }

  /** Steps one slice to completion: returns whether a step was applied (false: it chose nothing). */
  async step(record: ExperimentRecord, slice: string, fn: SliceStep, requestId?: string): Promise<boolean> {
    const { store } = this.deps;
    const id = record.experimentId;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt += 1) {
      const stored = await store.load(id, slice);
      if (stored !== undefined && stored.outbox.length > 0) await this.send(id, slice, stored.outbox);
      const now = this.clock();
      const state = stored?.state ?? (await this.recover(record, slice, now));
      const result = fn(state, await this.evidence(record, evidenceSliceOf(record.spec.policy, state, slice), state.stageEnteredAt, now), now);
      if (result === undefined) return false;
      const outbox = outboxOf(this.deps.topics, id, slice, result.decision, result.alerts, now, record, this.deps.signer);
      if (!(await store.compareAndSet(id, slice, stored?.state.version, result.state, outbox, requestId))) {
        this.deps.metrics.casConflicts.inc();
        continue;
      }
      // The ack deadline is recorded before the command goes out: a follower can apply it and its
      // ack can reach this process while the send still waits for the broker, and an ack that
      // arrives before its deadline exists would leave a deadline nothing clears.
      if (result.decision !== undefined) await this.afterDecision(id, result.decision);
      await this.send(id, slice, outbox);
      return true;
    }
    this.deps.logger.warn('gave up on a contended slice; the next evaluation tries again', { experimentId: id, slice });
    return false;
  }

  private async recover(record: ExperimentRecord, slice: string, now: number): Promise<SliceState> {
    const commands = await this.deps.history.of(record.experimentId, slice);
    // The first stage began when the experiment was published, not when this process first looked
    // at it: evidence that came first (a corpus or replay burst) is the stage's too.
    if (commands.length === 0) return initialSliceState(Math.min(now, record.ts));
    const state = stateFromCommands(record.spec.policy, commands, now);
    this.deps.logger.warn('no sentinel state in Redis for a slice with a history: rebuilt it from the commands topic', {
      experimentId: record.experimentId,
      slice,
      version: state.version,
      status: state.status,
    });
    return state;
  }

  private async send(experimentId: string, slice: string, outbox: OutboxMessage[]): Promise<void> {
    if (outbox.length === 0) return;
    await this.deps.producer.send(outbox.map((m) => ({ topic: m.topic, key: m.key, value: m.value })));
    await this.deps.store.clearOutbox(experimentId, slice, outbox);
  }

  private async afterDecision(experimentId: string, d: Decision): Promise<void> {
    const command = commandOf(experimentId, d, this.deps.signer);
    this.deps.metrics.decisions.inc({ action: d.action, dry_run: String(d.dryRun) });
    this.deps.logger.info('decision', { experimentId, slice: d.slice, action: d.action, from: d.fromStage, to: d.toStage, reason: d.reason, commandId: command.id });
    if (d.action === 'promote' && !d.dryRun) await this.deps.store.recordPromotion(command.id, d.at, { experimentId, slice: d.slice });
    if (!d.dryRun) await this.deps.store.expectAck(command.id, experimentId, d.at + this.deps.ackTimeoutMs);
  }
}
