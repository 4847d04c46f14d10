import { stageSchema } from '@penumbra/contracts';
import { emptyEvidence } from '@penumbra/policy-core';
import { gateHistory, spread } from './gate-history';

const evidence = (pairs: number, match: number) => {
  const e = emptyEvidence();
  return { ...e, counts: { ...e.counts, pairs, match, mismatch: pairs - match } };
};

describe('gate history', () => {
  it("judges the stage's gate on the growing evidence: the upper bound falls under the threshold as samples come", () => {
    const stage = stageSchema.parse({
      name: 'shadow',
      mode: 'observe',
      minSamples: 300,
      minDurationSec: 5,
      gates: [{ metric: 'matchRate', op: '>=', threshold: 0.95, confidence: 0.95 }],
    });
    const [h] = gateHistory(stage, 300, [
      { at: 1, evidence: evidence(4, 3) },
      { at: 2, evidence: evidence(80, 60) },
      { at: 3, evidence: evidence(400, 300) },
    ]);
    expect(h?.threshold).toBe(0.95);
    expect(h?.points.map((p) => p.value)).toEqual([0.75, 0.75, 0.75]);
    const bounds = h?.points.map((p) => p.bound ?? Number.NaN) ?? [];
    expect(bounds[2]).toBeLessThan(0.95);
    expect(bounds[1]).toBeGreaterThan(bounds[2] ?? 1);
    expect(h?.points[2]?.verdict).toBe('fail');
  });

  it('spreads points evenly and keeps the last', () => {
    expect(spread(3, 10)).toEqual([0, 1, 2]);
    const s = spread(100, 5);
    expect(s).toHaveLength(5);
    expect(s[0]).toBe(0);
    expect(s[4]).toBe(99);
  });
});
