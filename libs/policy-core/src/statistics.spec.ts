import { type Gate } from '@penumbra/contracts';
import { evaluate } from './engine';
import { T0, context, evidence, fresh, policy } from './fixtures.spec-helpers';
import { type OperatingCharacteristics, fixedHorizonOf, operatingCharacteristics } from './operating-characteristics';
import { type SliceState } from './state';

const GATE: Gate & { confidence: number } = { metric: 'matchRate', op: '>=', threshold: 0.95, confidence: 0.95 };
const ALPHA = 1 - GATE.confidence;
const AIM = 1.3;
const report: string[] = [];

function measure(trueRate: number, look: number, runs: number, seed: number, maxSamples = 20_000): OperatingCharacteristics {
  return operatingCharacteristics({ gate: GATE, trueRate, look, maxSamples, runs, seed });
}

afterAll(() => {
  // The operating characteristics, next to the one-sided fixed-horizon test (alpha 0.05, power 0.8).
  process.stdout.write(
    `\n${['true rate | look | fixed-horizon n | median (ratio) | p95 (ratio) | wrong | previous median, p95 | naive median | naive wrong', ...report].join('\n')}\n`,
  );
});

describe.each([
  { trueRate: 0.9, want: 'fail' as const },
  { trueRate: 0.93, want: 'fail' as const },
  { trueRate: 0.97, want: 'pass' as const },
])('the gate "matchRate >= 0.95 @0.95" at a true rate of $trueRate', ({ trueRate, want }) => {
  const fixed = fixedHorizonOf({ gate: GATE, trueRate });
  const line = (look: number, oc: OperatingCharacteristics) => {
    const wrong = want === 'fail' ? oc.engine.passed : oc.engine.failed;
    const naiveWrong = want === 'fail' ? oc.naive.passed : oc.naive.failed;
    report.push(
      `${trueRate} | ${look} | ${fixed} | ${oc.engine.median} (${(oc.engine.median / fixed).toFixed(2)}x) | ${oc.engine.p95} (${(oc.engine.p95 / fixed).toFixed(2)}x) | ${wrong} | ${oc.previous.median}, ${oc.previous.p95} | ${oc.naive.median} | ${naiveWrong}`,
    );
  };

  it.each([
    { look: 100, seed: 12 },
    { look: 10, seed: 11 },
  ])('decides, evaluated after every $look samples, within 1.3x of the fixed-horizon sample size at the median, wrong in at most alpha of the runs', ({ look, seed }) => {
    const oc = measure(trueRate, look, 1_000, seed);
    line(look, oc);
    expect(oc.engine[want === 'fail' ? 'failed' : 'passed']).toBeGreaterThanOrEqual(0.99);
    expect(oc.engine[want === 'fail' ? 'passed' : 'failed']).toBeLessThanOrEqual(ALPHA);
    expect(oc.engine.median).toBeLessThanOrEqual(AIM * fixed);
  });
});

describe('wrong decisions on the threshold itself, under re-evaluation', () => {
  it('rolls back at most alpha of 1,000 experiments whose true rate is the threshold, looked at every 100 samples up to 5,000, where a re-checked interval does not', () => {
    const oc = measure(0.95, 100, 1_000, 42, 5_000);
    report.push(`0.95 | 100 | - | - | - | ${oc.engine.failed} rolled back, ${oc.engine.passed} promoted | ${oc.previous.failed} | - | ${oc.naive.failed}`);
    expect(oc.engine.failed).toBeLessThanOrEqual(ALPHA);
    // At the threshold itself the promotion side's null holds too: it may promote at most alpha.
    expect(oc.engine.passed).toBeLessThanOrEqual(ALPHA);
    expect(oc.naive.failed).toBeGreaterThan(ALPHA);
  });

  it('stays under alpha when looked at every 10 samples up to 5,000 as well (the early look is taken once, the rest is anytime-valid)', () => {
    const oc = measure(0.95, 10, 1_000, 43, 5_000);
    report.push(`0.95 | 10 | - | - | - | ${oc.engine.failed} rolled back, ${oc.engine.passed} promoted | ${oc.previous.failed} | - | ${oc.naive.failed}`);
    expect(oc.engine.failed).toBeLessThanOrEqual(ALPHA);
    expect(oc.engine.passed).toBeLessThanOrEqual(ALPHA);
  });
});

describe('the engine rolls back on the same test', () => {
  it('a live stage is rolled back once the gate can no longer pass, with the bound and the value in its reason', () => {
    const p = policy({ stages: [{ name: 'canary', minDurationSec: 1_000_000, minSamples: 0, gates: [GATE] }] });
    let state: SliceState = fresh();
    let decidedAt: number | undefined;
    let reason = '';
    for (let i = 1; i <= 10 && decidedAt === undefined; i += 1) {
      const r = evaluate(context(p, state, evidence(i * 100, i * 88), T0 + i * 10_000));
      state = r.state;
      if (r.decision?.action === 'rollback') {
        decidedAt = i * 100;
        reason = r.decision.reason;
      }
    }
    expect(decidedAt).toBe(100);
    expect(reason).toMatch(/^gate "matchRate >= 0.95 @0.95" can no longer pass \(matchRate = 0.8800, bound 0.9[0-4]\d* vs >= 0.95\)/);
  });
});
