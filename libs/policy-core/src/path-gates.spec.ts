import { evaluate } from './engine';
import { T0, SEC, context, evidence, fresh, policy } from './fixtures.spec-helpers';
import { type PathEvidenceInput, usesPathMetrics } from './path-gates';
import { judgeGate } from './gates';
import { gateSchema } from '@penumbra/contracts';

const gate = (text: string | object) => gateSchema.parse(text);
const paths = (n: number, cells: Array<{ candidateOnly?: number; secondaryOnly?: number; both?: number }>, overflow = 0): PathEvidenceInput => ({
  paths: cells.map((c, i) => ({ path: `GET /a\t$.f${i}`, counts: { n, candidateOnly: c.candidateOnly ?? 0, secondaryOnly: c.secondaryOnly ?? 0, both: c.both ?? 0 } })),
  pairs: n,
  overflow,
  hypotheses: 100,
  fdr: 0.05,
  alpha: 0.05,
});
const withPaths = (p: PathEvidenceInput, pairs = p.pairs ?? 0) => ({ ...evidence(pairs, pairs), paths: p });

describe('gates on the per-path verdicts', () => {
  const equivalence = gate({ metric: 'maxExcessDiffRate', op: '<=', threshold: 0.001, confidence: 0.95 });

  it('passes maxExcessDiffRate once every path is bounded below the margin, and fails once a path is shown above it', () => {
    expect(judgeGate(equivalence, 'promotion', withPaths(paths(30_000, [{ both: 3000 }, { secondaryOnly: 40 }])), 100).verdict).toBe('pass');
    const regressed = judgeGate(equivalence, 'promotion', withPaths(paths(30_000, [{ candidateOnly: 300 }])), 100);
    expect(regressed.verdict).toBe('fail');
    expect(regressed.bound).toBeGreaterThan(0.001);
  });

  it('waits while the bound straddles the margin, before any pair, and while counts overflowed', () => {
    expect(judgeGate(equivalence, 'promotion', withPaths(paths(500, [{ secondaryOnly: 1 }])), 100).verdict).toBe('need-more-data');
    expect(judgeGate(equivalence, 'promotion', evidence(0, 0), 100).verdict).toBe('need-more-data');
    const overflowed = judgeGate(equivalence, 'promotion', withPaths(paths(30_000, [{ both: 10 }], 1)), 100);
    expect(overflowed).toMatchObject({ verdict: 'need-more-data', value: 1 });
  });

  it('fires a pathRegressions trigger the moment a path is judged a regression, before the stage has its samples', () => {
    const trigger = gate('pathRegressions >= 1');
    expect(judgeGate(trigger, 'rollback', withPaths(paths(400, [{ candidateOnly: 40 }])), 10_000)).toMatchObject({ verdict: 'fail', value: 1 });
    expect(judgeGate(trigger, 'rollback', withPaths(paths(400, [{ candidateOnly: 1, secondaryOnly: 1 }])), 10_000).verdict).toBe('need-more-data');
    expect(judgeGate(trigger, 'rollback', withPaths(paths(400, [{ candidateOnly: 1, secondaryOnly: 1 }])), 100).verdict).toBe('pass');
  });

  it('rolls a stage back on a regressed path through the engine', () => {
    const p = policy({
      stages: [
        { name: 'shadow', mode: 'live', minDurationSec: 0, minSamples: 10_000, rollbackTriggers: ['pathRegressions >= 1'] },
        { name: 'full', weight: 100 },
      ],
    });
    expect(usesPathMetrics(p)).toBe(true);
    const state = fresh({ status: 'running', stageEnteredAt: T0 });
    const r = evaluate(context(p, state, withPaths(paths(400, [{ candidateOnly: 40 }])), T0 + 10 * SEC));
    expect(r.decision).toMatchObject({ action: 'rollback' });
    expect(r.decision?.reason).toMatch(/pathRegressions >= 1/);
  });

  it('accepts a confidence on the path metrics, with an ordering only', () => {
    expect(() => gate('maxExcessDiffRate <= 0.001')).not.toThrow();
    expect(() => gate({ metric: 'pathRegressions', op: '==', threshold: 0, confidence: 0.95 })).toThrow(/ordering/);
    expect(usesPathMetrics(policy({ stages: [{ name: 'a', gates: ['matchRate >= 0.9'] }] }))).toBe(false);
  });
});

describe('the gate shorthand with a confidence', () => {
  it('reads "@0.95" as the confidence, as gate labels print it', () => {
    expect(gate('maxExcessDiffRate <= 0.001 @0.95')).toEqual({ metric: 'maxExcessDiffRate', op: '<=', threshold: 0.001, confidence: 0.95 });
    expect(gate('mismatchRate <= 0.01 @ .99')).toMatchObject({ confidence: 0.99 });
    expect(() => gate('latencyP99Ratio <= 1.2 @0.95')).toThrow(/not a rate counted per pair/);
  });
});
