import { REPLAY_SLICES } from '@penumbra/contracts';
import { evaluate, evidenceSliceOf } from './engine';
import { SEC, T0, context, evidence, fresh, policy } from './fixtures.spec-helpers';

const p = policy({
  stages: [
    { name: 'retained', kind: 'replay', minDurationSec: 5, minSamples: 200, gates: ['matchRate >= 0.95'], rollbackTriggers: ['matchRate < 0.9'] },
    { name: 'canary', weight: 10, minDurationSec: 5, minSamples: 200, gates: ['matchRate >= 0.95'] },
  ],
  watchAfterFinalSec: 0,
});

describe('a replay stage', () => {
  it('is judged on the replayed rollup, and the live stages after it on the slice itself', () => {
    expect(evidenceSliceOf(p, fresh(), '*')).toBe(REPLAY_SLICES.retained);
    expect(evidenceSliceOf(p, fresh({ stageIndex: 1 }), '*')).toBe('*');
    expect(evidenceSliceOf(p, fresh({ stageIndex: 1 }), 'tenant=acme')).toBe('tenant=acme');
    expect(evidenceSliceOf(policy({ stages: [{ name: 'c', kind: 'corpus' }] }), fresh(), '*')).toBe(REPLAY_SLICES.corpus);
  });

  it('watches a promoted candidate on live evidence, never on replays', () => {
    expect(evidenceSliceOf(p, fresh({ status: 'watching' }), '*')).toBe('*');
    expect(evidenceSliceOf(p, fresh({ status: 'promoted' }), '*')).toBe('*');
  });

  it('promotes to the first live stage once the replayed evidence holds', () => {
    const now = T0 + 10 * SEC;
    const result = evaluate(context(p, fresh({ passingSince: T0 }), evidence(300, 299), now));
    expect(result.decision).toMatchObject({ action: 'promote', fromStage: 'retained', toStage: 'canary', targetWeight: 10 });
  });

  it('rolls back before any live traffic when the replayed evidence shows a regression', () => {
    const result = evaluate(context(p, fresh(), evidence(300, 200), T0 + 10 * SEC));
    expect(result.decision).toMatchObject({ action: 'rollback', fromStage: 'retained', targetWeight: 0 });
  });
});
