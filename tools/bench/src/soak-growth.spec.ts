import { growthAfterWarmUp, sampleFromMetrics } from './soak-growth';

const mb = 1024 * 1024;

describe('growthAfterWarmUp', () => {
  it('ignores the warm-up and compares the medians of the first and last span', () => {
    const samples = [
      { atMs: 0, rssBytes: 10 * mb, lagP99Ms: 50 },
      { atMs: 1000, rssBytes: 90 * mb, lagP99Ms: 40 },
      { atMs: 2000, rssBytes: 100 * mb, lagP99Ms: 10 },
      { atMs: 3000, rssBytes: 140 * mb, lagP99Ms: 12 },
      { atMs: 4000, rssBytes: 100 * mb, lagP99Ms: 11 },
      { atMs: 8000, rssBytes: 104 * mb, lagP99Ms: 14 },
      { atMs: 9000, rssBytes: 200 * mb, lagP99Ms: 20 },
      { atMs: 10000, rssBytes: 106 * mb, lagP99Ms: 15 },
    ];
    const g = growthAfterWarmUp(samples, 2000, 2000);
    expect(g.samples).toBe(6);
    expect(g.rssStartBytes).toBe(100 * mb);
    expect(g.rssEndBytes).toBe(106 * mb);
    expect(g.rssGrowth).toBeCloseTo(0.06, 10);
    expect([g.lagP99StartMs, g.lagP99EndMs]).toEqual([11, 15]);
  });

  it('reports shrinking as negative growth', () => {
    const g = growthAfterWarmUp(
      [
        { atMs: 0, rssBytes: 100, lagP99Ms: 1 },
        { atMs: 10, rssBytes: 80, lagP99Ms: 1 },
      ],
      0,
      1,
    );
    expect(g.rssGrowth).toBeCloseTo(-0.2, 10);
  });

  it('refuses a run with too few samples after warm-up', () => {
    expect(() => growthAfterWarmUp([{ atMs: 5000, rssBytes: 1, lagP99Ms: 1 }], 1000, 1000)).toThrow(/1 samples after a warm-up/);
  });
});

describe('sampleFromMetrics', () => {
  it('reads RSS and the p99 event-loop lag, labelled or not', () => {
    const text = [
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      'process_resident_memory_bytes{service="comparator"} 104857600',
      'nodejs_eventloop_lag_p50_seconds{service="comparator"} 0.011',
      'nodejs_eventloop_lag_p99_seconds 0.0205',
    ].join('\n');
    expect(sampleFromMetrics(text, 7)).toEqual({ atMs: 7, rssBytes: 104857600, lagP99Ms: 20.5 });
    expect(() => sampleFromMetrics('up 1', 0)).toThrow(/process_resident_memory_bytes/);
  });
});
