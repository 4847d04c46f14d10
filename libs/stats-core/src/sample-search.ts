/**
 * The smallest sample size at or above `n` (within 5%) at which `decided` holds, assuming it
 * stays true once true: doubling, then bisection. Undefined past `limit`.
 */
export function smallestDecidingSize(n: number, decided: (m: number) => boolean, limit: number): number | undefined {
  let hi = Math.max(1, n);
  while (!decided(hi)) {
    hi *= 2;
    if (hi > limit) return undefined;
  }
  let lo = Math.max(1, Math.floor(hi / 2));
  while (hi - lo > Math.max(1, hi * 0.05)) {
    const mid = Math.floor((lo + hi) / 2);
    if (decided(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
