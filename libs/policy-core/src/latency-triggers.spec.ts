import { type Gate } from '@penumbra/contracts';
import { LogHistogram, seededRandom } from '@penumbra/stats-core';
import { judgeGate } from './gates';
import { evidenceFromParts } from './ledger';

/**
 * A/A: candidate and baseline draw latencies from one log-normal distribution (median 20 ms,
 * sigma 0.5), and a point-estimate trigger is judged after every 100 samples up to 5,000.
 * Returns the share of candidates it would have rolled back, all of them wrongly.
 */
function aaRollbacks(trigger: Gate, minSamples: number, runs: number, seed: number): number {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(random() || Number.MIN_VALUE)) * Math.cos(2 * Math.PI * random());
  const latency = () => 20 * Math.exp(0.5 * normal());
  let fired = 0;
  for (let run = 0; run < runs; run += 1) {
    const primary = new LogHistogram(0.01);
    const candidate = new LogHistogram(0.01);
    for (let n = 1; n <= 5_000; n += 1) {
      primary.add(latency());
      candidate.add(latency());
      if (n % 100 !== 0) continue;
      const counts = {
        pairs: n,
        match: n,
        mismatch: 0,
        candidateErrors: 0,
        primaryErrors: 0,
        bothErrors: 0,
        secondaryErrors: 0,
        statusMismatches: 0,
        timeouts: 0,
        tooLarge: 0,
        unknown: 0,
      };
      const e = evidenceFromParts({ counts, primary, candidate, secondary: new LogHistogram(0.01), metrics: {} });
      if (judgeGate(trigger, 'rollback', e, minSamples).verdict === 'fail') {
        fired += 1;
        break;
      }
    }
  }
  return fired / runs;
}

describe('point-estimate latency triggers on A/A candidates (issue 16, bug 2)', () => {
  it('a p99 ratio trigger waits for 20 samples beyond the p99 on each side, so a stage minimum of 100 no longer rolls back a quarter of identical candidates', () => {
    expect(aaRollbacks({ metric: 'latencyP99Ratio', op: '>', threshold: 1.2 }, 100, 200, 1)).toBeLessThanOrEqual(0.05);
  });

  it('and a p90 ratio trigger (200 samples on each side) stays under 5% as well', () => {
    expect(aaRollbacks({ metric: 'latencyP90Ratio', op: '>', threshold: 1.2 }, 100, 100, 2)).toBeLessThanOrEqual(0.05);
  });
});
