import { type AggregateSnapshot, aggregateSnapshotSchema, experimentSpecSchema } from '@penumbra/contracts';
import { LogHistogram } from '@penumbra/stats-core';
import { SnapshotLedger } from './ledger';
import { simulatePolicy } from './simulate';

const T0 = 1_800_000_000_000;
const WINDOW = 10_000;

function snapshot(i: number, sliceKey: string, pairs: number, match: number, closed = true, candidateMs = 20): AggregateSnapshot {
  const hist = (ms: number) => {
    const h = new LogHistogram(0.01);
    for (let k = 0; k < pairs; k += 1) h.add(ms);
    return h.toJSON();
  };
  return aggregateSnapshotSchema.parse({
    type: 'aggregate.v1',
    id: `s${i}${sliceKey}${closed}`,
    ts: T0 + (i + 1) * WINDOW + (closed ? 1 : 0),
    experimentId: 'checkout',
    sliceKey,
    window: { start: T0 + i * WINDOW, end: T0 + (i + 1) * WINDOW, closed },
    counts: { pairs, match, mismatch: pairs - match, candidateErrors: 0, primaryErrors: 0, bothErrors: 0, statusMismatches: 0, timeouts: 0 },
    latency: { primary: hist(20), candidate: hist(candidateMs) },
  });
}

const spec = (decidePerSlice: boolean) =>
  experimentSpecSchema.parse({
    id: 'checkout',
    target: { service: 'checkout' },
    shadow: { candidate: { baseUrl: 'http://candidate:8080' } },
    slices: { attributes: ['tenant'], decidePerSlice },
    policy: {
      stages: [
        { name: 'shadow', minDurationSec: 20, minSamples: 100, gates: ['matchRate >= 0.9'], rollbackTriggers: ['matchRate < 0.5'] },
        { name: 'canary', weight: 20, minDurationSec: 20, minSamples: 100, gates: ['matchRate >= 0.9', 'latencyP50Ratio <= 1.2'] },
      ],
      watchAfterFinalSec: 0,
    },
  });

describe('SnapshotLedger', () => {
  it('replaces a partial snapshot by the closed one of the same window, and merges windows', () => {
    const ledger = new SnapshotLedger();
    ledger.add(snapshot(0, '*', 10, 10, false));
    ledger.add(snapshot(0, '*', 50, 40, true));
    ledger.add(snapshot(1, '*', 30, 30, true));
    const e = ledger.evidence('*', T0);
    expect(e.counts).toMatchObject({ pairs: 80, match: 70 });
    expect(e.latency.candidate.count).toBe(80);
    expect(e.latency.candidate.p99).toBeCloseTo(20, 0);
    expect(ledger.evidence('*', T0 + WINDOW).counts.pairs).toBe(30);
  });
});

describe('simulatePolicy', () => {
  it('replays snapshots through the engine into a decision timeline', () => {
    const snaps = Array.from({ length: 8 }, (_, i) => snapshot(i, '*', 60, 60));
    const sim = simulatePolicy(spec(false), snaps);
    expect(sim.decisions.map((d) => [d.action, d.fromStage, d.toStage])).toEqual([
      ['promote', 'shadow', 'canary'],
      ['promote', 'canary', 'promoted'],
    ]);
    expect(sim.decisions[0]?.reason).toMatch(/every gate held for/);
    expect(sim.states['*']?.status).toBe('promoted');
  });

  it('decides each slice on its own evidence when the experiment decides per slice', () => {
    const snaps = Array.from({ length: 8 }, (_, i) => [snapshot(i, 'tenant=acme', 60, 60), snapshot(i, 'tenant=globex', 60, 20)]).flat();
    const sim = simulatePolicy(spec(true), snaps);
    const bySlice = (slice: string) => sim.decisions.filter((d) => d.slice === slice).map((d) => d.action);
    expect(bySlice('tenant=acme')).toEqual(['promote', 'promote']);
    expect(bySlice('tenant=globex')).toEqual(['rollback']);
    expect(sim.decisions.some((d) => d.slice === '*')).toBe(false);
  });

  it('promotes a fourth healthy tenant under the default circuit breaker, which counts each slice on its own (issue 16, bug 4)', () => {
    const tenants = ['a', 'b', 'c', 'd'].map((t) => `tenant=${t}`);
    const snaps = Array.from({ length: 8 }, (_, i) => tenants.map((t) => snapshot(i, t, 60, 60))).flat();
    const sim = simulatePolicy(spec(true), snaps);
    for (const t of tenants) expect(sim.decisions.filter((d) => d.slice === t).map((d) => d.action)).toEqual(['promote', 'promote']);
    const together = spec(true);
    together.policy.circuitBreaker = { ...together.policy.circuitBreaker, per: 'experiment' };
    const held = simulatePolicy(together, snaps);
    expect(held.decisions.filter((d) => d.action === 'promote')).toHaveLength(3);
    expect(Object.values(held.states).some((s) => /experiment's promotion circuit breaker is open \(3 of 3 promotions of this experiment/.test(s.lastVerdict?.summary ?? ''))).toBe(
      true,
    );
  });

  it('warns when per-slice decisions see only the "*" rollup, which no slice decision reads (issue 16, bug 3)', () => {
    const snaps = Array.from({ length: 8 }, (_, i) => snapshot(i, '*', 60, 36));
    const sim = simulatePolicy(spec(true), snaps);
    expect(sim.decisions).toEqual([]);
    expect(sim.warnings).toEqual([expect.stringMatching(/per slice of tenant .* only the "\*" rollup and no slice: nothing is promoted or rolled back/)]);
    expect(simulatePolicy(spec(false), snaps).warnings).toEqual([]);
  });
});
