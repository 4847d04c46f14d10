import { seededRandom, wilsonInterval } from '@penumbra/stats-core';
import { evaluate } from './engine';
import { T0, context, evidence, fresh, policy } from './fixtures.spec-helpers';
import { type SliceState } from './state';

const EXPERIMENTS = 1_000;
const SNAPSHOTS = 50;
const PER_SNAPSHOT = 100;
const THRESHOLD = 0.95;
const CONFIDENCE = 0.95;

/** One stage that never promotes within the run, so only rollbacks can end it. */
const gatePolicy = policy({
  stages: [{ name: 'canary', minDurationSec: 1_000_000, minSamples: 0, gates: [{ metric: 'matchRate', op: '>=', threshold: THRESHOLD, confidence: CONFIDENCE }] }],
});

interface Outcome {
  /** Samples seen when the sequential engine rolled back, or undefined. */
  engine?: number;
  /** Samples seen when a fixed Wilson interval, re-checked on every snapshot, would have. */
  naive?: number;
}

function run(trueRate: number, random: () => number): Outcome {
  let state: SliceState = fresh();
  let match = 0;
  const out: Outcome = {};
  for (let i = 1; i <= SNAPSHOTS; i += 1) {
    for (let k = 0; k < PER_SNAPSHOT; k += 1) if (random() < trueRate) match += 1;
    const n = i * PER_SNAPSHOT;
    if (out.naive === undefined && wilsonInterval(match, n, 1 - CONFIDENCE).upper < THRESHOLD) out.naive = n;
    if (out.engine === undefined) {
      const r = evaluate(context(gatePolicy, state, evidence(n, match), T0 + i * 10_000));
      state = r.state;
      if (r.decision?.action === 'rollback') out.engine = n;
    }
  }
  return out;
}

describe('the sequential gate over 1,000 simulated experiments, evaluated after every snapshot', () => {
  it('wrongly rolls back at most the configured error rate when the true rate sits on the passing side, where a re-checked fixed interval does not', () => {
    const random = seededRandom(42);
    const outcomes = Array.from({ length: EXPERIMENTS }, () => run(THRESHOLD, random));
    const engine = outcomes.filter((o) => o.engine !== undefined).length / EXPERIMENTS;
    const naive = outcomes.filter((o) => o.naive !== undefined).length / EXPERIMENTS;
    expect(engine).toBeLessThanOrEqual(1 - CONFIDENCE);
    expect(naive).toBeGreaterThan(1 - CONFIDENCE);
  });

  it('rolls a true regression (0.90 against a 0.95 gate) back within 2,000 samples in every run, half of them within 400', () => {
    const random = seededRandom(7);
    const samples = Array.from({ length: EXPERIMENTS }, () => run(0.9, random).engine ?? Infinity).sort((a, b) => a - b);
    expect(samples[samples.length - 1]).toBeLessThanOrEqual(2_000);
    expect(samples[Math.floor(samples.length / 2)]).toBeLessThanOrEqual(400);
  });
});
