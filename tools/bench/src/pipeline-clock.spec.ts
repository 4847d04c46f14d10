import { percentile, sampleCounts } from './pipeline-clock';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect([percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1), percentile([7], 0.5)]).toEqual([50, 99, 100, 7]);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe('sampleCounts', () => {
  it('stamps every value the count passed at the sample that saw it, never beyond the total', async () => {
    const seen = [0, 2, 2, 5, 9];
    let call = 0;
    const stamps = await sampleCounts(async () => seen[Math.min(call++, seen.length - 1)]!, 1).until(4);
    expect(stamps).toHaveLength(4);
    expect(stamps[0]).toBe(stamps[1]);
    expect(stamps[2]).toBe(stamps[3]);
    expect(stamps[2]!).toBeGreaterThan(stamps[1]!);
  });
});
