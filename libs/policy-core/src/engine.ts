import { BUILTIN_METRICS, type CommandAction, type Evidence, type GateEvidence, type Policy, REPLAY_SLICES, type Stage } from '@penumbra/contracts';
import { type EvidenceInput, mirrorCoverage, stageSamples } from './evidence';
import { judgeGate, metricValue } from './gates';
import { lookOf, takeFirstLooks } from './first-looks';
import { type BreakerCounts, openBreaker } from './circuit-breaker';
import { type AlertDraft, type Decision, FINAL_STATUSES, type SliceState, type Verdict } from './state';
import { causeText, evidenceText, formatDuration, summarize } from './verdict-text';

/** Pseudo stages a command can lead to after the last real one. */
export const PROMOTED = 'promoted';
export const STOPPED = 'stopped';
export const KILLED = 'killed';

export interface EvaluationContext {
  policy: Policy;
  policyHash: string;
  slice: string;
  state: SliceState;
  /** Merged aggregates since `state.stageEnteredAt`. */
  evidence: EvidenceInput;
  now: number;
  /** Promotions counted by the policy's two circuit breakers: see `breakerCounts`. */
  recentPromotions: BreakerCounts;
  /** Raise a `stalled` alert when no sample arrived for this long. */
  stalledAfterMs: number;
}

export interface Evaluation {
  state: SliceState;
  /** A command-worthy transition: the version moved and `decision` says what happened. */
  decision?: Decision;
  alerts: AlertDraft[];
  verdict: Verdict;
}

/** The stage's criteria after `rollbacks` rollbacks: more samples and a longer bake each time. */
export function criteriaOf(policy: Policy, stage: Stage, rollbacks: number): { minSamples: number; bakeMs: number } {
  const t = policy.stricterAfterRollback;
  return { minSamples: Math.ceil(stage.minSamples * t.samplesFactor ** rollbacks), bakeMs: Math.round(stage.minDurationSec * 1000 * t.bakeFactor ** rollbacks) };
}

export function stageOf(policy: Policy, state: SliceState): Stage {
  return (policy.stages[state.stageIndex] ?? policy.stages[policy.stages.length - 1]) as Stage;
}

/**
 * The rollup a slice's current stage is judged on: its own live evidence, or, at a replay or
 * corpus stage, the experiment's replayed evidence, which no live rollup ever counts.
 */
export function evidenceSliceOf(policy: Policy, state: SliceState, slice: string): string {
  if (FINAL_STATUSES.includes(state.status) || state.status === 'watching') return slice;
  const { kind } = stageOf(policy, state);
  return kind === 'replay' ? REPLAY_SLICES.retained : kind === 'corpus' ? REPLAY_SLICES.corpus : slice;
}

export function stageName(policy: Policy, state: SliceState): string {
  if (state.status === 'promoted' || state.status === 'watching') return PROMOTED;
  if (state.status === 'stopped') return STOPPED;
  if (state.status === 'killed') return KILLED;
  return stageOf(policy, state).name;
}

/** The record behind a decision: every metric, every gate's verdict, the samples and bake against the stage's criteria. */
export function evidenceOf(ctx: Pick<EvaluationContext, 'policyHash' | 'evidence' | 'policy' | 'state'>, gates: GateEvidence[], bakedMs: number): Evidence {
  const metrics: Record<string, number | null> = {};
  for (const m of BUILTIN_METRICS) metrics[m] = metricValue(m, ctx.evidence);
  for (const g of gates) metrics[g.metric] = g.value;
  const coverage = mirrorCoverage(ctx.evidence);
  if (coverage !== null) metrics['mirrorCoverage'] = coverage;
  const { minSamples, bakeMs } = criteriaOf(ctx.policy, stageOf(ctx.policy, ctx.state), ctx.state.rollbacks);
  return {
    policyHash: ctx.policyHash,
    samples: stageSamples(ctx.evidence),
    bakedMs,
    minSamples,
    bakeMs,
    metrics,
    gates,
    ...(ctx.evidence.window ? { window: ctx.evidence.window } : {}),
  };
}

export function decide(
  ctx: Pick<EvaluationContext, 'slice' | 'state' | 'now'>,
  action: CommandAction,
  fromStage: string,
  toStage: string,
  targetWeight: number,
  dryRun: boolean,
  reason: string,
  evidence: Evidence,
  actor: Decision['actor'] = { kind: 'sentinel', name: 'sentinel' },
): Decision {
  return { action, slice: ctx.slice, fromStage, toStage, stateVersion: ctx.state.version, targetWeight, dryRun, reason, actor, evidence, at: ctx.now };
}

/** The state after entering a stage: bake and stall clocks start afresh, and so do the tests (their evidence starts afresh). */
export function enterStage(state: SliceState, patch: Partial<SliceState>, now: number): SliceState {
  const fresh = { passingSince: now, stageEnteredAt: now, lastSamples: 0, lastProgressAt: now, stalledAlerted: false, firstLooks: [], firstLooksLost: false };
  return { ...state, ...fresh, ...patch, version: state.version + 1 };
}

/** A rollback as the policy defines it: back to the first stage after a cooldown, or stop mirroring. */
export function rollbackTo(ctx: Pick<EvaluationContext, 'policy' | 'state' | 'now'>): { patch: Partial<SliceState>; toStage: string } {
  const { policy, state, now } = ctx;
  const rollbacks = state.rollbacks + 1;
  if (policy.onRollback === 'stop-mirroring') return { patch: { status: 'stopped', rollbacks, watchUntil: null, approvals: [] }, toStage: STOPPED };
  return {
    patch: { status: 'cooldown', stageIndex: 0, rollbacks, cooldownUntil: now + policy.cooldownSec * 1000, watchUntil: null, approvals: [] },
    toStage: (policy.stages[0] as Stage).name,
  };
}

/** Evaluates one slice of one experiment: pure, the same in the service and in `policy simulate`. */
export function evaluate(ctx: EvaluationContext): Evaluation {
  const { policy, state, now, evidence } = ctx;
  const stage = stageOf(policy, state);
  const { minSamples, bakeMs } = criteriaOf(policy, stage, state.rollbacks);
  const samples = stageSamples(evidence);
  // A final state takes no looks: nothing is decided there any more.
  const looks = FINAL_STATUSES.includes(state.status) ? state.firstLooks : takeFirstLooks(stage, evidence, state);
  const gates = stage.gates.map((g) => judgeGate(g, 'promotion', evidence, minSamples, lookOf(looks, g, 'promotion')));
  const triggers = stage.rollbackTriggers.map((g) => judgeGate(g, 'rollback', evidence, minSamples, lookOf(looks, g, 'rollback')));
  const judged = [...gates, ...triggers];
  const alerts: AlertDraft[] = [];

  let next: SliceState = { ...state, firstLooks: looks };
  if (samples !== state.lastSamples) next = { ...next, lastSamples: samples, lastProgressAt: now, stalledAlerted: false };
  const active = state.status === 'running' || state.status === 'watching';
  if (active && samples === state.lastSamples && now - state.lastProgressAt >= ctx.stalledAfterMs && !state.stalledAlerted) {
    next.stalledAlerted = true;
    alerts.push({
      kind: 'stalled',
      severity: 'warning',
      message: `no new samples for ${formatDuration(now - state.lastProgressAt)} in stage "${stage.name}" (${samples} so far)`,
      dedupeKey: `stalled:${state.version}:${state.lastProgressAt}`,
      details: { stage: stage.name, samples },
    });
  }

  const anyFailing = gates.some((g) => g.verdict === 'fail');
  next.passingSince = anyFailing ? null : (state.passingSince ?? now);
  const bakedMs = next.passingSince === null ? 0 : Math.max(0, now - Math.max(next.passingSince, state.stageEnteredAt));
  const coverage = mirrorCoverage(evidence);
  const verdict = (summary: string): Verdict => ({ summary, samples, minSamples, bakedMs, bakeMs, gates: judged, ...(coverage === null ? {} : { coverage }) });
  const quiet = (summary: string): Evaluation => {
    const v = verdict(summary);
    return { state: { ...next, lastVerdict: { at: now, ...v } }, alerts, verdict: v };
  };
  const transition = (patch: Partial<SliceState>, d: Decision, summary: string): Evaluation => {
    const v = verdict(summary);
    return { state: { ...enterStage(next, patch, now), lastVerdict: { at: now, ...v } }, decision: d, alerts, verdict: v };
  };

  // A final state keeps the verdict that led to it, so that status and reports still say why.
  if (FINAL_STATUSES.includes(state.status)) return { state: { ...state }, alerts: [], verdict: verdict(state.lastVerdict?.summary ?? `${state.status}: nothing more to decide`) };
  if (state.status === 'paused') return quiet(`paused (was ${state.pausedFrom ?? 'running'}); resume to go on`);
  if (state.status === 'cooldown') {
    const until = state.cooldownUntil ?? now;
    const summary = `cooling down after rollback ${state.rollbacks} for ${formatDuration(until - now)} more`;
    // The gates shown while cooling down are the ones the rollback was decided on, not the new stage's first few samples.
    if (now < until)
      return state.lastVerdict
        ? { state: { ...next, lastVerdict: { ...state.lastVerdict, at: now, summary } }, alerts, verdict: { ...state.lastVerdict, summary } }
        : quiet(summary);
    const first = policy.stages[0] as Stage;
    const reason = `cooldown over: starting again at stage "${first.name}" with criteria tightened after ${state.rollbacks} rollback(s)`;
    return transition(
      { status: 'running', stageIndex: 0, cooldownUntil: null },
      decide(ctx, 'resume', first.name, first.name, first.weight, first.mode === 'dry-run', reason, evidenceOf(ctx, judged, bakedMs)),
      reason,
    );
  }

  const watching = state.status === 'watching';
  const fired = triggers.find((t) => t.verdict === 'fail');
  // Only a gate judged by the sequential test can be known to never pass; a point estimate may recover.
  const lost = gates.find((g) => g.verdict === 'fail' && g.confidence !== null);
  if (stage.mode !== 'observe' || watching) {
    const cause = fired ? `rollback trigger "${fired.gate}" fired (${causeText(fired)})` : lost ? `gate "${lost.gate}" can no longer pass (${causeText(lost)})` : undefined;
    if (cause !== undefined) {
      const { patch, toStage } = rollbackTo(ctx);
      const reason = `${watching ? 'regression while watching after the final promotion: ' : ''}${cause} | ${evidenceText({ gates: judged, samples, minSamples, bakedMs, bakeMs })}`;
      alerts.push({
        kind: 'rollback',
        severity: 'critical',
        message: `${ctx.slice === '*' ? '' : `slice ${ctx.slice}: `}rolled back: ${reason}`,
        dedupeKey: `rollback:${state.version}`,
        details: { stage: stage.name, toStage },
      });
      return transition(
        patch,
        decide(ctx, 'rollback', stageName(policy, state), toStage, 0, stage.mode === 'dry-run', reason, evidenceOf(ctx, judged, bakedMs)),
        `rolled back: ${reason}`,
      );
    }
  }
  if (watching) {
    if (now < (state.watchUntil ?? now)) return quiet(`promoted; watching for regressions for ${formatDuration((state.watchUntil ?? now) - now)} more`);
    return {
      ...quiet('promoted; the watch period ended without a regression'),
      state: { ...next, status: 'promoted', watchUntil: null, version: state.version + 1, lastVerdict: { at: now, ...verdict('promoted') } },
    };
  }

  const why = summarize({ gates, samples, minSamples, bakedMs, bakeMs });
  if (why !== undefined) return quiet(why);
  if (stage.mode === 'observe') return quiet(`observe stage "${stage.name}": evidence is ready, but an observe stage only collects; promote it by hand`);
  if (stage.approval?.required && !state.approvals.some((a) => a.stage === stage.name)) {
    const roles = stage.approval.roles.length > 0 ? ` from one of: ${stage.approval.roles.join(', ')}` : '';
    return quiet(`ready, awaiting approval of stage "${stage.name}"${roles}`);
  }
  const open = openBreaker(policy, ctx.recentPromotions, ctx.slice);
  if (open !== undefined) {
    alerts.push({
      kind: 'gate-warning',
      severity: 'warning',
      message: `promotion held: ${open}`,
      dedupeKey: `breaker:${state.version}`,
      details: { recentPromotions: ctx.recentPromotions },
    });
    return quiet(`ready, but ${open}`);
  }
  const evidenceNow = evidenceOf(ctx, judged, bakedMs);
  const dryRun = stage.mode === 'dry-run';
  const reason = `every gate held for ${formatDuration(bakedMs)} on ${samples} samples | ${evidenceText({ gates: judged, samples, minSamples, bakedMs, bakeMs })}`;
  const nextStage = policy.stages[state.stageIndex + 1];
  if (nextStage === undefined) {
    const watchMs = policy.watchAfterFinalSec * 1000;
    const patch: Partial<SliceState> = watchMs > 0 ? { status: 'watching', watchUntil: now + watchMs } : { status: 'promoted' };
    return transition(patch, decide(ctx, 'promote', stage.name, PROMOTED, 100, dryRun, reason, evidenceNow), `promoted: ${reason}`);
  }
  return transition(
    { stageIndex: state.stageIndex + 1 },
    decide(ctx, 'promote', stage.name, nextStage.name, nextStage.weight, dryRun, reason, evidenceNow),
    `promoted to "${nextStage.name}": ${reason}`,
  );
}
