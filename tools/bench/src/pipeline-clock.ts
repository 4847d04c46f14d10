/** The nearest-rank percentile of `values` (q in [0, 1]). */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Samples a growing count and remembers when it first reached each value: `until(total)` resolves
 * with, for each k, the time (performance.now) the count first reached k + 1.
 */
export function sampleCounts(count: () => Promise<number>, intervalMs = 20): { until(total: number): Promise<number[]> } {
  const reachedAt: number[] = [];
  return {
    async until(total) {
      const deadline = performance.now() + 600_000;
      while (reachedAt.length < total) {
        if (performance.now() > deadline) throw new Error(`the count reached ${reachedAt.length} of ${total} in 600 s`);
        const c = Math.min(total, await count());
        const now = performance.now();
        while (reachedAt.length < c) reachedAt.push(now);
        await new Promise((r) => setTimeout(r, intervalMs));
      }
      return reachedAt;
    },
  };
}
