import { type Command, type Gate, commandId } from '@penumbra/contracts';
import { evaluate, enterStage } from './engine';
import { T0, context, evidence, fresh, policy } from './fixtures.spec-helpers';
import { lookKey, lookOf, takeFirstLooks } from './first-looks';
import { stateFromCommands } from './recovery';
import { type SliceState } from './state';

const GATE: Gate = { metric: 'matchRate', op: '>=', threshold: 0.95, confidence: 0.95 };
const TRIGGER: Gate = { metric: 'candidateErrorRate', op: '>', threshold: 0.05, confidence: 0.95 };
const STAGE = { gates: [GATE], rollbackTriggers: [TRIGGER] };
const P = policy({ stages: [{ name: 'canary', minDurationSec: 1_000_000, minSamples: 0, gates: [GATE] }] });
const none = { firstLooks: [], firstLooksLost: false };

describe('the early looks of a stage', () => {
  it('are taken at the first evaluation that reaches the look size, once, and kept unchanged after', () => {
    expect(takeFirstLooks(STAGE, evidence(99, 80), none)).toEqual([]);
    const taken = takeFirstLooks(STAGE, evidence(100, 95), none);
    expect(taken).toEqual([
      { test: lookKey(GATE, 'promotion'), successes: 95, trials: 100 },
      { test: lookKey(TRIGGER, 'rollback'), successes: 0, trials: 100 },
    ]);
    expect(takeFirstLooks(STAGE, evidence(300, 200), { firstLooks: taken, firstLooksLost: false })).toEqual(taken);
    expect(lookOf(taken, GATE, 'promotion')).toEqual({ successes: 95, trials: 100 });
    expect(lookOf(taken, GATE, 'rollback')).toBeUndefined();
  });

  it('are not taken for gates without a confidence, and not at all once lost', () => {
    expect(takeFirstLooks({ gates: [{ metric: 'matchRate', op: '>=', threshold: 0.95 }], rollbackTriggers: [] }, evidence(500, 400), none)).toEqual([]);
    expect(takeFirstLooks(STAGE, evidence(500, 400), { firstLooks: [], firstLooksLost: true })).toEqual([]);
  });

  it('let the engine roll back 90 of 100 at the first evaluation, naming the value and the look bound', () => {
    const r = evaluate(context(P, fresh(), evidence(100, 90), T0 + 10_000));
    expect(r.decision?.action).toBe('rollback');
    expect(r.decision?.reason).toMatch(/matchRate = 0.9000, bound 0.9[0-4]\d*/);
  });

  it('are recorded in the state, so that a later evaluation never looks again', () => {
    const first = evaluate(context(P, fresh(), evidence(100, 95), T0 + 10_000));
    expect(first.decision).toBeUndefined();
    expect(first.state.firstLooks).toEqual([{ test: lookKey(GATE, 'promotion'), successes: 95, trials: 100 }]);
    // 180 of 200 would be rejected by an exact test at 200; taken once at 100, the look does not get a second try.
    const later = evaluate(context(P, first.state, evidence(200, 180), T0 + 20_000));
    expect(later.decision).toBeUndefined();
    expect(later.state.firstLooks).toEqual(first.state.firstLooks);
    // Whereas a stage whose first evaluation comes at 200 looks there.
    expect(evaluate(context(P, fresh(), evidence(200, 180), T0 + 20_000)).decision?.action).toBe('rollback');
  });

  it('start afresh with a new stage, and count as spent on a state rebuilt from the commands', () => {
    const looked: SliceState = fresh({ firstLooks: [{ test: lookKey(GATE, 'promotion'), successes: 95, trials: 100 }], firstLooksLost: true });
    expect(enterStage(looked, {}, T0)).toMatchObject({ firstLooks: [], firstLooksLost: false });
    const command: Command = {
      type: 'command.v1',
      id: commandId({ experimentId: 'e', fromStage: 'canary', toStage: 'canary', stateVersion: 3 }),
      ts: T0,
      experimentId: 'e',
      action: 'resume',
      fromStage: 'canary',
      toStage: 'canary',
      stateVersion: 3,
      targetWeight: 0,
      dryRun: false,
      reason: 'r',
      actor: { kind: 'sentinel', name: 'sentinel' },
      evidence: { policyHash: 'a'.repeat(64), samples: 0, bakedMs: 0, metrics: {}, gates: [] },
    };
    const rebuilt = stateFromCommands(P, [command], T0 + 1_000);
    expect(rebuilt.firstLooksLost).toBe(true);
    const after = evaluate(context(P, rebuilt, evidence(200, 180), T0 + 20_000));
    expect(after.decision).toBeUndefined();
    expect(after.state.firstLooks).toEqual([]);
  });
});
