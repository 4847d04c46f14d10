import { evaluate } from './engine';
import { SEC, T0, context, evidence, fresh, policy } from './fixtures.spec-helpers';

const twoStages = (over: Record<string, unknown> = {}) =>
  policy({
    stages: [
      { name: 'shadow', mode: 'live', weight: 0, minDurationSec: 60, minSamples: 100, gates: ['matchRate >= 0.9'], rollbackTriggers: ['candidateErrorRate > 0.2'] },
      { name: 'canary', mode: 'live', weight: 10, minDurationSec: 60, minSamples: 100, gates: ['matchRate >= 0.9'] },
    ],
    cooldownSec: 300,
    watchAfterFinalSec: 120,
    ...over,
  });

describe('evaluate: stages and bake time', () => {
  it('needs the minimum samples first, and says how many more', () => {
    const r = evaluate(context(twoStages(), fresh(), evidence(40, 40), T0 + 120 * SEC));
    expect(r.decision).toBeUndefined();
    expect(r.verdict.summary).toMatch(/need more data: 40 of at least 100 samples, about 60 more/);
    expect(r.verdict.gates[0]).toMatchObject({ verdict: 'need-more-data', neededSamples: 60 });
  });

  it('waits out the bake time, then promotes to the next stage with its weight and the evidence', () => {
    const p = twoStages();
    const early = evaluate(context(p, fresh(), evidence(200, 195), T0 + 30 * SEC));
    expect(early.decision).toBeUndefined();
    expect(early.verdict.summary).toMatch(/baking: gates held for 30s of 1m/);
    const r = evaluate(context(p, early.state, evidence(400, 390), T0 + 61 * SEC));
    expect(r.decision).toMatchObject({ action: 'promote', fromStage: 'shadow', toStage: 'canary', targetWeight: 10, stateVersion: 0, dryRun: false, actor: { kind: 'sentinel' } });
    expect(r.decision?.evidence).toMatchObject({ samples: 400, policyHash: 'a'.repeat(64), metrics: { matchRate: 0.975 } });
    expect(r.decision?.evidence.gates.map((g) => g.verdict)).toEqual(['pass', 'pass']);
    expect(r.state).toMatchObject({ version: 1, stageIndex: 1, status: 'running', stageEnteredAt: T0 + 61 * SEC });
  });

  it('restarts the bake when a gate fails in between', () => {
    const p = twoStages();
    const a = evaluate(context(p, fresh(), evidence(200, 195), T0 + 10 * SEC));
    const b = evaluate(context(p, a.state, evidence(300, 250), T0 + 40 * SEC));
    expect(b.state.passingSince).toBeNull();
    expect(b.verdict.summary).toMatch(/not promoted: matchRate >= 0.9 fails/);
    const c = evaluate(context(p, b.state, evidence(900, 850), T0 + 70 * SEC));
    expect(c.decision).toBeUndefined();
    expect(c.verdict.bakedMs).toBe(0);
    const d = evaluate(context(p, c.state, evidence(1900, 1850), T0 + 131 * SEC));
    expect(d.decision?.action).toBe('promote');
  });

  it('promotes out of the last stage into a watch period, and finishes when it ends quietly', () => {
    const p = twoStages();
    const atLast = fresh({ stageIndex: 1, version: 3 });
    const r = evaluate(context(p, atLast, evidence(500, 500), T0 + 61 * SEC));
    expect(r.decision).toMatchObject({ action: 'promote', fromStage: 'canary', toStage: 'promoted', targetWeight: 100, stateVersion: 3 });
    expect(r.state).toMatchObject({ status: 'watching', watchUntil: T0 + 181 * SEC });
    const during = evaluate(context(p, r.state, evidence(100, 100), T0 + 100 * SEC));
    expect(during.verdict.summary).toMatch(/watching for regressions for 1m21s more/);
    const after = evaluate(context(p, during.state, evidence(300, 300), T0 + 182 * SEC));
    expect(after.state.status).toBe('promoted');
    expect(after.decision).toBeUndefined();
    expect(evaluate(context(p, after.state, evidence(300, 0), T0 + 200 * SEC)).decision).toBeUndefined();
  });

  it('rolls back a regression found while watching', () => {
    const p = twoStages({ stages: [{ name: 'only', minDurationSec: 0, minSamples: 10, gates: ['matchRate >= 0.9'], rollbackTriggers: ['matchRate < 0.5'] }] });
    const watching = fresh({ status: 'watching', watchUntil: T0 + 600 * SEC, version: 4 });
    const r = evaluate(context(p, watching, evidence(100, 20), T0 + 60 * SEC));
    expect(r.decision).toMatchObject({ action: 'rollback', fromStage: 'promoted', toStage: 'only', targetWeight: 0 });
    expect(r.decision?.reason).toMatch(/regression while watching after the final promotion: rollback trigger "matchRate < 0.5" fired/);
  });
});

describe('evaluate: modes', () => {
  it('observe collects and never decides, not even a rollback', () => {
    const p = twoStages({ stages: [{ name: 'shadow', mode: 'observe', minDurationSec: 0, minSamples: 10, gates: ['matchRate >= 0.9'], rollbackTriggers: ['matchRate < 0.5'] }] });
    expect(evaluate(context(p, fresh(), evidence(1000, 1000), T0 + 60 * SEC)).verdict.summary).toMatch(/observe stage "shadow": evidence is ready/);
    expect(evaluate(context(p, fresh(), evidence(1000, 10), T0 + 60 * SEC)).decision).toBeUndefined();
  });

  it('dry-run decides and flags its commands', () => {
    const p = twoStages({
      stages: [
        { name: 'shadow', mode: 'dry-run', minDurationSec: 0, minSamples: 10, gates: ['matchRate >= 0.9'] },
        { name: 'canary', weight: 5 },
      ],
    });
    expect(evaluate(context(p, fresh(), evidence(100, 100), T0 + SEC)).decision).toMatchObject({ action: 'promote', dryRun: true, toStage: 'canary' });
  });
});

describe('evaluate: rollback, cooldown and tightening', () => {
  it('rolls back when a trigger fires, then cools down and starts again with stricter criteria', () => {
    const p = twoStages();
    const r = evaluate(context(p, fresh({ stageIndex: 1, version: 2 }), evidence(200, 190, { candidateErrors: 50 }), T0 + 10 * SEC));
    expect(r.decision).toBeUndefined();
    const s = evaluate(context(p, fresh({ version: 2 }), evidence(200, 190, { candidateErrors: 50 }), T0 + 10 * SEC));
    expect(s.decision).toMatchObject({ action: 'rollback', fromStage: 'shadow', toStage: 'shadow', targetWeight: 0 });
    expect(s.decision?.reason).toMatch(/rollback trigger "candidateErrorRate > 0.2" fired \(candidateErrorRate = 0.2500 vs > 0.2\) \| 200 samples/);
    expect(s.alerts).toEqual([expect.objectContaining({ kind: 'rollback', severity: 'critical' })]);
    expect(s.state).toMatchObject({ status: 'cooldown', rollbacks: 1, cooldownUntil: T0 + 310 * SEC, version: 3 });

    const cooling = evaluate(context(p, s.state, evidence(0, 0), T0 + 100 * SEC));
    expect(cooling.verdict.summary).toMatch(/cooling down after rollback 1 for 3m30s more/);
    // What is shown while cooling down is the evidence the rollback was decided on, not the empty new stage.
    expect(cooling.state.lastVerdict).toMatchObject({ at: T0 + 100 * SEC, samples: 200, gates: s.verdict.gates });
    const again = evaluate(context(p, cooling.state, evidence(0, 0), T0 + 311 * SEC));
    expect(again.decision).toMatchObject({ action: 'resume', fromStage: 'shadow', toStage: 'shadow' });
    expect(again.state).toMatchObject({ status: 'running', stageIndex: 0, stageEnteredAt: T0 + 311 * SEC });

    const stricter = evaluate(context(p, again.state, evidence(150, 150), T0 + 400 * SEC));
    expect(stricter.verdict).toMatchObject({ minSamples: 200, bakeMs: 120 * SEC });
    expect(stricter.decision).toBeUndefined();
  });

  it('stops mirroring on rollback when the policy says so', () => {
    const p = twoStages({ onRollback: 'stop-mirroring' });
    const r = evaluate(context(p, fresh(), evidence(200, 190, { candidateErrors: 50 }), T0 + 10 * SEC));
    expect(r.decision).toMatchObject({ action: 'rollback', toStage: 'stopped' });
    expect(r.state.status).toBe('stopped');
    expect(evaluate(context(p, r.state, evidence(200, 200), T0 + 9999 * SEC)).decision).toBeUndefined();
  });

  it('rolls back when a confident gate can no longer pass, but not on a point estimate', () => {
    const confident = twoStages({ stages: [{ name: 'shadow', minDurationSec: 0, minSamples: 10, gates: [{ metric: 'matchRate', op: '>=', threshold: 0.99, confidence: 0.95 }] }] });
    const r = evaluate(context(confident, fresh(), evidence(2000, 1800), T0 + SEC));
    expect(r.decision?.action).toBe('rollback');
    expect(r.decision?.reason).toMatch(/gate "matchRate >= 0.99 @0.95" can no longer pass/);
    const plain = twoStages({ stages: [{ name: 'shadow', minDurationSec: 0, minSamples: 10, gates: ['matchRate >= 0.99'] }] });
    expect(evaluate(context(plain, fresh(), evidence(2000, 1800), T0 + SEC)).decision).toBeUndefined();
  });
});

describe('evaluate: approvals, circuit breaker, stalls and final states', () => {
  const gated = () =>
    twoStages({ stages: [{ name: 'shadow', minDurationSec: 0, minSamples: 10, gates: ['matchRate >= 0.9'], approval: { roles: ['release-manager'] } }, { name: 'canary' }] });

  it('waits for an approval by the stage roles, then promotes', () => {
    const r = evaluate(context(gated(), fresh(), evidence(100, 100), T0 + SEC));
    expect(r.decision).toBeUndefined();
    expect(r.verdict.summary).toBe('ready, awaiting approval of stage "shadow" from one of: release-manager');
    const approved = fresh({ approvals: [{ stage: 'shadow', actor: 'ana', role: 'release-manager', at: T0 }] });
    expect(evaluate(context(gated(), approved, evidence(100, 100), T0 + SEC)).decision?.action).toBe('promote');
  });

  it('holds a promotion while the fleet-wide circuit breaker is open, with an alert', () => {
    const p = twoStages({ stages: [{ name: 'shadow', minDurationSec: 0, minSamples: 10 }, { name: 'canary' }], circuitBreaker: { fleet: { maxPromotions: 2, windowSec: 600 } } });
    const r = evaluate(context(p, fresh(), evidence(100, 100), T0 + SEC, { recentPromotions: { experiment: 0, fleet: 2 } }));
    expect(r.decision).toBeUndefined();
    expect(r.verdict.summary).toMatch(/fleet-wide promotion circuit breaker is open \(2 of 2 promotions across the fleet in 600 s\)/);
    expect(r.alerts[0]).toMatchObject({ kind: 'gate-warning' });
    expect(evaluate(context(p, fresh(), evidence(100, 100), T0 + SEC, { recentPromotions: { experiment: 0, fleet: 1 } })).decision?.action).toBe('promote');
  });

  it("holds a promotion while the experiment's own circuit breaker is open, configured apart from the fleet's (issue 16, bug 4)", () => {
    const p = twoStages({ stages: [{ name: 'shadow', minDurationSec: 0, minSamples: 10 }, { name: 'canary' }], circuitBreaker: { maxPromotions: 2, windowSec: 600 } });
    const r = evaluate(context(p, fresh(), evidence(100, 100), T0 + SEC, { slice: 'tenant=a', recentPromotions: { experiment: 2, fleet: 2 } }));
    expect(r.verdict.summary).toMatch(/experiment's promotion circuit breaker is open \(2 of 2 promotions of slice tenant=a in 600 s\)/);
    expect(evaluate(context(p, fresh(), evidence(100, 100), T0 + SEC, { recentPromotions: { experiment: 1, fleet: 19 } })).decision?.action).toBe('promote');
  });

  it('raises one stalled alert when samples stop arriving, and forgets it when they resume', () => {
    const p = twoStages();
    const a = evaluate(context(p, fresh(), evidence(50, 50), T0 + 10 * SEC));
    const b = evaluate(context(p, a.state, evidence(50, 50), T0 + 75 * SEC));
    expect(b.alerts).toEqual([expect.objectContaining({ kind: 'stalled', message: expect.stringMatching(/no new samples for 1m5s in stage "shadow"/) })]);
    expect(evaluate(context(p, b.state, evidence(50, 50), T0 + 90 * SEC)).alerts).toEqual([]);
    expect(evaluate(context(p, b.state, evidence(60, 60), T0 + 90 * SEC)).state.stalledAlerted).toBe(false);
  });

  it('does nothing while paused or after a kill', () => {
    const p = twoStages();
    expect(evaluate(context(p, fresh({ status: 'paused', pausedFrom: 'running' }), evidence(200, 0, { candidateErrors: 200 }), T0 + 99 * SEC)).decision).toBeUndefined();
    expect(evaluate(context(p, fresh({ status: 'killed' }), evidence(200, 200), T0 + 99 * SEC)).verdict.summary).toMatch(/killed: nothing more to decide/);
  });
});

describe('evaluate: gate metrics', () => {
  it('judges latency against the secondary when there is one, and custom metric statistics', () => {
    const p = twoStages({
      stages: [{ name: 'shadow', minDurationSec: 0, minSamples: 10, gates: ['latencyP99Ratio <= 1.2', 'precision.last >= 0.98', 'missed_tp.sum == 0'] }, { name: 'canary' }],
    });
    const e = evidence(2000, 2000, {}, { primary: 100, candidate: 130, secondary: 120 });
    e.metrics = { precision: { count: 5, sum: 4.95, min: 0.97, max: 0.995, last: 0.99 }, missed_tp: { count: 3, sum: 0, min: 0, max: 0, last: 0 } };
    const r = evaluate(context(p, fresh(), e, T0 + SEC));
    expect(r.verdict.gates.map((g) => [g.gate, g.value, g.verdict])).toEqual([
      ['latencyP99Ratio <= 1.2', 130 / 120, 'pass'],
      ['precision.last >= 0.98', 0.99, 'pass'],
      ['missed_tp.sum == 0', 0, 'pass'],
    ]);
    expect(r.decision?.action).toBe('promote');
    const slow = evidence(2000, 2000, {}, { primary: 100, candidate: 140 });
    expect(evaluate(context(p, fresh(), { ...slow, metrics: e.metrics }, T0 + SEC)).verdict.gates[0]).toMatchObject({ value: 1.4, verdict: 'fail' });
  });

  it('judges a latency quantile ratio only once each side holds enough samples beyond the quantile (issue 16, bug 2)', () => {
    const p = twoStages({
      stages: [
        { name: 'shadow', minDurationSec: 0, minSamples: 100, gates: ['matchRate >= 0.9'], rollbackTriggers: ['latencyP99Ratio > 1.2', 'latencyP90Ratio > 1.2'] },
        { name: 'canary' },
      ],
    });
    const few = evaluate(context(p, fresh(), evidence(100, 100, {}, { primary: 100, candidate: 140 }), T0 + SEC));
    expect(few.decision?.action).not.toBe('rollback');
    expect(few.verdict.gates.slice(1).map((g) => [g.verdict, g.neededSamples])).toEqual([
      ['need-more-data', 1900],
      ['need-more-data', 100],
    ]);
    const enough = evaluate(context(p, fresh(), evidence(2000, 2000, {}, { primary: 100, candidate: 140 }), T0 + SEC));
    expect(enough.decision?.action).toBe('rollback');
  });
});

describe('evaluate: gates the schema refuses a confidence on (issue 16, bugs 1 and 2)', () => {
  it('an equality gate carrying a confidence anyway (built in code) never rolls back on no data or on one error', () => {
    const p = twoStages({ stages: [{ name: 'shadow', minDurationSec: 0, minSamples: 100, gates: ['candidateErrorRate <= 0'] }, { name: 'canary' }] });
    const stage = p.stages[0];
    if (stage === undefined) throw new Error('no stage');
    stage.gates = [{ metric: 'candidateErrorRate', op: '==', threshold: 0, confidence: 0.99 }];
    const none = evaluate(context(p, fresh(), evidence(0, 0), T0 + SEC));
    expect(none.decision).toBeUndefined();
    expect(none.verdict.gates[0]).toMatchObject({ verdict: 'need-more-data', confidence: null });
    const one = evaluate(context(p, fresh(), evidence(150, 149, { candidateErrors: 1 }), T0 + SEC));
    expect(one.decision).toBeUndefined();
    expect(one.verdict.gates[0]).toMatchObject({ verdict: 'fail', value: 1 / 150 });
  });

  it('a latency gate carrying a confidence anyway holds the promotion when it fails instead of rolling back', () => {
    const p = twoStages({ stages: [{ name: 'shadow', minDurationSec: 0, minSamples: 100, gates: ['latencyP50Ratio <= 1.2'] }, { name: 'canary' }] });
    const stage = p.stages[0];
    if (stage === undefined) throw new Error('no stage');
    stage.gates = [{ metric: 'latencyP50Ratio', op: '<=', threshold: 1.2, confidence: 0.95 }];
    const r = evaluate(context(p, fresh(), evidence(200, 200, {}, { primary: 100, candidate: 140 }), T0 + SEC));
    expect(r.decision).toBeUndefined();
    expect(r.verdict.summary).toMatch(/not promoted: latencyP50Ratio <= 1.2 @0.95 fails/);
  });
});

describe('evaluate: every decision explains itself', () => {
  const p = twoStages({
    stages: [
      {
        name: 'shadow',
        minDurationSec: 60,
        minSamples: 1000,
        gates: [{ metric: 'matchRate', op: '>=', threshold: 0.95, confidence: 0.95 }, 'latencyP50Ratio <= 1.2'],
        rollbackTriggers: [{ metric: 'matchRate', op: '<', threshold: 0.9, confidence: 0.95 }],
      },
      { name: 'canary' },
    ],
  });

  it('a promotion names every gate and trigger with its value, bound, threshold, verdict and samples, and the bake', () => {
    const r = evaluate(context(p, fresh(), evidence(1100, 1078, {}, { primary: 100, candidate: 104 }), T0 + 110 * SEC));
    expect(r.decision?.action).toBe('promote');
    const reason = r.decision?.reason ?? '';
    expect(reason).toMatch(/^every gate held for 1m50s on 1100 samples \| 1100 samples \(minimum 1000\), gates held 1m50s \(bake 1m\); /);
    expect(reason).toMatch(/gate "matchRate >= 0.95 @0.95": matchRate = 0.9800, bound 0.9[5-9]\d\d vs >= 0.95 \(0.95 confidence on 1100 samples\): pass/);
    expect(reason).toMatch(/gate "latencyP50Ratio <= 1.2": latencyP50Ratio = 1.040 vs <= 1.2 \(point estimate on 1100 samples\): pass/);
    expect(reason).toMatch(/trigger "matchRate < 0.9 @0.95": matchRate = 0.9800, bound 0.9\d+ vs < 0.9 \(0.95 confidence on 1100 samples\): not fired/);
    expect(r.decision?.evidence).toMatchObject({ samples: 1100, minSamples: 1000, bakedMs: 110 * SEC, bakeMs: 60 * SEC });
    expect(r.decision?.evidence.gates).toEqual([
      expect.objectContaining({ gate: 'matchRate >= 0.95 @0.95', value: 0.98, bound: expect.any(Number), threshold: 0.95, confidence: 0.95, samples: 1100, verdict: 'pass' }),
      expect.objectContaining({ gate: 'latencyP50Ratio <= 1.2', value: 1.04, bound: null, confidence: null, samples: 1100, verdict: 'pass' }),
      expect.objectContaining({ gate: 'matchRate < 0.9 @0.95', kind: 'rollback', bound: expect.any(Number), verdict: 'pass' }),
    ]);
  });

  it('a rollback gives the observed value next to the bound of the gate that can no longer pass, and the bound of a fired trigger', () => {
    const lost = evaluate(context(p, fresh(), evidence(200, 176), T0 + 10 * SEC));
    expect(lost.decision?.reason).toMatch(/^gate "matchRate >= 0.95 @0.95" can no longer pass \(matchRate = 0.8800, bound 0.9\d+ vs >= 0.95\) \| 200 samples \(minimum 1000\)/);
    const fired = evaluate(context(p, fresh(), evidence(100, 60), T0 + 10 * SEC));
    expect(fired.decision?.reason).toMatch(/^rollback trigger "matchRate < 0.9 @0.95" fired \(matchRate = 0.6000, bound 0.\d+ vs < 0.9\)/);
  });

  it('records the mirror coverage in the verdict and the evidence when the mirror counted', () => {
    const e = {
      ...evidence(40, 40),
      metrics: { mirror_matched: { count: 2, sum: 50, min: 20, max: 30, last: 30 }, mirror_mirrored: { count: 2, sum: 40, min: 20, max: 20, last: 20 } },
    };
    const r = evaluate(context(twoStages(), fresh(), e, T0 + 120 * SEC));
    expect(r.verdict.coverage).toBe(0.8);
    expect(r.state.lastVerdict?.coverage).toBe(0.8);
    expect(evaluate(context(twoStages(), fresh(), evidence(40, 40), T0 + 120 * SEC)).verdict.coverage).toBeUndefined();
  });
});
