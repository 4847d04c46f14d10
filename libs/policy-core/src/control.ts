import { type ControlAction } from '@penumbra/contracts';
import { type EvaluationContext, KILLED, PROMOTED, criteriaOf, decide, enterStage, evidenceOf, rollbackTo, stageName, stageOf } from './engine';
import { judgeGate } from './gates';
import { lookOf } from './first-looks';
import { type AlertDraft, type Decision, type SliceState } from './state';

export interface ControlContext extends Omit<EvaluationContext, 'recentPromotions' | 'stalledAfterMs'> {
  /** An authenticated request: who, in which roles, and why. */
  request: { action: ControlAction; actor: string; roles: string[]; reason: string };
}

export type ControlOutcome = { ok: true; state: SliceState; decision?: Decision; alerts: AlertDraft[]; message: string } | { ok: false; reason: string };

const refuse = (reason: string): ControlOutcome => ({ ok: false, reason });

/** An operator's request against one slice; pure, like `evaluate`. */
export function applyControl(ctx: ControlContext): ControlOutcome {
  const { policy, state, now, request } = ctx;
  const stage = stageOf(policy, state);
  const { minSamples } = criteriaOf(policy, stage, state.rollbacks);
  const gates = [
    ...stage.gates.map((g) => judgeGate(g, 'promotion', ctx.evidence, minSamples, lookOf(state.firstLooks, g, 'promotion'))),
    ...stage.rollbackTriggers.map((g) => judgeGate(g, 'rollback', ctx.evidence, minSamples, lookOf(state.firstLooks, g, 'rollback'))),
  ];
  const evidence = evidenceOf(ctx, gates, 0);
  const actor = { kind: 'operator' as const, name: request.actor };
  const from = stageName(policy, state);
  const reason = `${request.action} by ${request.actor}: ${request.reason}`;
  const dryRun = stage.mode === 'dry-run';
  const done = (patch: Partial<SliceState>, d: Decision, alerts: AlertDraft[] = []): ControlOutcome => ({
    ok: true,
    state: enterStage(state, patch, now),
    decision: d,
    alerts,
    message: reason,
  });

  switch (request.action) {
    case 'promote': {
      if (!['running', 'paused', 'watching'].includes(state.status)) return refuse(`cannot promote: the slice is ${state.status}`);
      if (state.status === 'watching')
        return done({ status: 'promoted', watchUntil: null, pausedFrom: null }, decide(ctx, 'promote', from, PROMOTED, 100, dryRun, reason, evidence, actor));
      const next = policy.stages[state.stageIndex + 1];
      if (next === undefined) {
        const watchMs = policy.watchAfterFinalSec * 1000;
        return done(
          watchMs > 0 ? { status: 'watching', watchUntil: now + watchMs, pausedFrom: null } : { status: 'promoted', pausedFrom: null },
          decide(ctx, 'promote', from, PROMOTED, 100, dryRun, reason, evidence, actor),
        );
      }
      return done({ status: 'running', stageIndex: state.stageIndex + 1, pausedFrom: null }, decide(ctx, 'promote', from, next.name, next.weight, dryRun, reason, evidence, actor));
    }
    case 'rollback': {
      if (['cooldown', 'stopped', 'killed'].includes(state.status))
        return refuse(`cannot roll back: the slice is already ${state.status === 'cooldown' ? 'rolled back and cooling down' : state.status}`);
      const { patch, toStage } = rollbackTo(ctx);
      const alert: AlertDraft = {
        kind: 'rollback',
        severity: 'critical',
        message: `rolled back by ${request.actor}: ${request.reason}`,
        dedupeKey: `rollback:${state.version}`,
        details: { actor: request.actor },
      };
      return done({ ...patch, pausedFrom: null }, decide(ctx, 'rollback', from, toStage, 0, dryRun, reason, evidence, actor), [alert]);
    }
    case 'pause': {
      if (!['running', 'watching', 'cooldown'].includes(state.status)) return refuse(`cannot pause: the slice is ${state.status}`);
      return {
        ok: true,
        state: { ...state, status: 'paused', pausedFrom: state.status, version: state.version + 1 },
        decision: decide(ctx, 'pause', from, from, stage.weight, dryRun, reason, evidence, actor),
        alerts: [],
        message: reason,
      };
    }
    case 'resume': {
      if (state.status !== 'paused') return refuse(`cannot resume: the slice is ${state.status}, not paused`);
      const resumed = { ...state, status: state.pausedFrom ?? 'running', pausedFrom: null, passingSince: now, version: state.version + 1 };
      return { ok: true, state: resumed, decision: decide(ctx, 'resume', from, from, stage.weight, dryRun, reason, evidence, actor), alerts: [], message: reason };
    }
    case 'kill': {
      if (state.status === 'killed') return refuse('the slice is already killed');
      const alert: AlertDraft = {
        kind: 'kill',
        severity: 'critical',
        message: `kill_switch.activated by ${request.actor}: ${request.reason}`,
        dedupeKey: `kill:${state.version}`,
        details: { event: 'kill_switch.activated', actor: request.actor },
      };
      return done({ status: 'killed', watchUntil: null, cooldownUntil: null, pausedFrom: null }, decide(ctx, 'kill', from, KILLED, 0, false, reason, evidence, actor), [alert]);
    }
    case 'approve': {
      const roles = stage.approval?.roles ?? [];
      const role = roles.length === 0 ? request.roles[0] : request.roles.find((r) => roles.includes(r));
      if (roles.length > 0 && role === undefined) {
        return refuse(`${request.actor} (roles ${request.roles.join(', ') || 'none'}) may not approve stage "${stage.name}": it needs one of ${roles.join(', ')}`);
      }
      if (state.approvals.some((a) => a.stage === stage.name && a.actor === request.actor))
        return { ok: true, state, alerts: [], message: `${request.actor} already approved stage "${stage.name}"` };
      const approval = { stage: stage.name, actor: request.actor, at: now, ...(role === undefined ? {} : { role }) };
      return {
        ok: true,
        state: { ...state, approvals: [...state.approvals, approval].slice(-100), version: state.version + 1 },
        alerts: [],
        message: `stage "${stage.name}" approved by ${request.actor}`,
      };
    }
  }
}
