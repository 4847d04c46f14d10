import { applyControl } from './control';
import { SEC, T0, evidence, fresh, policy } from './fixtures.spec-helpers';
import { type SliceState } from './state';

const p = policy({
  stages: [
    { name: 'shadow', weight: 0, approval: { roles: ['release-manager'] } },
    { name: 'canary', mode: 'dry-run', weight: 10 },
  ],
  cooldownSec: 60,
  watchAfterFinalSec: 0,
});

const control = (state: SliceState, action: 'promote' | 'rollback' | 'pause' | 'resume' | 'kill' | 'approve', roles = ['operator']) =>
  applyControl({
    policy: p,
    policyHash: 'b'.repeat(64),
    slice: 'tenant=acme',
    state,
    evidence: evidence(10, 10),
    now: T0 + 5 * SEC,
    request: { action, actor: 'ana', roles, reason: 'checked by hand' },
  });

describe('applyControl', () => {
  it('promotes by hand, skipping gates, as an operator command with the reason', () => {
    const r = control(fresh({ version: 7 }), 'promote');
    if (!r.ok) throw new Error(r.reason);
    expect(r.decision).toMatchObject({
      action: 'promote',
      slice: 'tenant=acme',
      fromStage: 'shadow',
      toStage: 'canary',
      stateVersion: 7,
      actor: { kind: 'operator', name: 'ana' },
      reason: 'promote by ana: checked by hand',
    });
    expect(r.state).toMatchObject({ stageIndex: 1, version: 8 });
    const last = control(r.state, 'promote');
    expect(last.ok && last.decision).toMatchObject({ toStage: 'promoted', dryRun: true });
    expect(last.ok && last.state.status).toBe('promoted');
    expect(control(fresh({ status: 'killed' }), 'promote')).toEqual({ ok: false, reason: 'cannot promote: the slice is killed' });
  });

  it('rolls back by hand into the cooldown, once', () => {
    const r = control(fresh({ stageIndex: 1 }), 'rollback');
    expect(r.ok && r.decision).toMatchObject({ action: 'rollback', fromStage: 'canary', toStage: 'shadow', targetWeight: 0 });
    expect(r.ok && r.state).toMatchObject({ status: 'cooldown', rollbacks: 1, cooldownUntil: T0 + 65 * SEC });
    if (!r.ok) return;
    expect(control(r.state, 'rollback')).toMatchObject({ ok: false, reason: expect.stringMatching(/already rolled back and cooling down/) });
  });

  it('pauses and resumes into the status it interrupted, restarting the bake', () => {
    const paused = control(fresh({ status: 'watching', watchUntil: T0 + 999 * SEC }), 'pause');
    if (!paused.ok) throw new Error(paused.reason);
    expect(paused.state).toMatchObject({ status: 'paused', pausedFrom: 'watching' });
    expect(paused.decision).toMatchObject({ action: 'pause', fromStage: 'promoted', toStage: 'promoted' });
    const resumed = control(paused.state, 'resume');
    expect(resumed.ok && resumed.state).toMatchObject({ status: 'watching', pausedFrom: null, passingSince: T0 + 5 * SEC });
    expect(control(fresh(), 'resume')).toMatchObject({ ok: false, reason: 'cannot resume: the slice is running, not paused' });
  });

  it('kills: a kill command and the kill_switch.activated alert', () => {
    const r = control(fresh({ stageIndex: 1 }), 'kill');
    expect(r.ok && r.decision).toMatchObject({ action: 'kill', toStage: 'killed', targetWeight: 0, dryRun: false });
    expect(r.ok && r.alerts).toEqual([expect.objectContaining({ kind: 'kill', details: expect.objectContaining({ event: 'kill_switch.activated' }) })]);
    if (r.ok) expect(control(r.state, 'kill')).toEqual({ ok: false, reason: 'the slice is already killed' });
  });

  it('records an approval only from a role the stage names, and only once', () => {
    expect(control(fresh(), 'approve', ['operator'])).toEqual({ ok: false, reason: 'ana (roles operator) may not approve stage "shadow": it needs one of release-manager' });
    const r = control(fresh(), 'approve', ['operator', 'release-manager']);
    if (!r.ok) throw new Error(r.reason);
    expect(r.decision).toBeUndefined();
    expect(r.state.approvals).toEqual([{ stage: 'shadow', actor: 'ana', role: 'release-manager', at: T0 + 5 * SEC }]);
    expect(r.state.version).toBe(1);
    const again = control(r.state, 'approve', ['release-manager']);
    expect(again.ok && again.state.version).toBe(1);
  });
});
