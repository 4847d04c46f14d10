import { smallestDecidingSize } from './sample-search';

/**
 * Anytime-valid bounds for a rate. A gate re-evaluated on every snapshot looks at the data again
 * and again; a fixed-sample interval checked that way is wrong far more often than its level says.
 * The beta-binomial mixture martingale is not: under a true rate p, M_n(p) is a nonnegative
 * martingale, so by Ville's inequality P(sup_n M_n(p) >= 1/alpha) <= alpha, and the set of p with
 * M_n(p) < 1/alpha is a confidence sequence valid at every n at once.
 */

const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i += 1) a += (LANCZOS[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** The mixing prior Beta(a, b); uniform by default. */
export interface MixturePrior {
  a: number;
  b: number;
}

const UNIFORM: MixturePrior = { a: 1, b: 1 };

/** ln M_n(p): the evidence against a true rate p after `successes` out of `n`. */
export function logMixtureMartingale(successes: number, n: number, p: number, prior: MixturePrior = UNIFORM): number {
  return mixtureEvidence(successes, n, prior)(p);
}

/** ln M_n as a function of p; the Beta terms do not depend on p, so they are computed once. */
function mixtureEvidence(successes: number, n: number, prior: MixturePrior): (p: number) => number {
  const failures = n - successes;
  const mixture = logBeta(prior.a + successes, prior.b + failures) - logBeta(prior.a, prior.b);
  return (p) => mixture - ((successes > 0 ? successes * Math.log(p) : 0) + (failures > 0 ? failures * Math.log(1 - p) : 0));
}

export interface RateBounds {
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * The confidence sequence for a rate at level 1 - alpha: an interval that contains the true rate
 * at every sample size simultaneously with probability at least 1 - alpha.
 */
export function rateConfidenceSequence(successes: number, n: number, alpha: number, prior: MixturePrior = UNIFORM): RateBounds {
  if (n <= 0) return { estimate: Number.NaN, lower: 0, upper: 1 };
  return { estimate: successes / n, lower: sequenceBound(successes, n, alpha, 'lower', prior), upper: sequenceBound(successes, n, alpha, 'upper', prior) };
}

/** One side of the confidence sequence, found by bisection between the estimate and 0 or 1. */
export function sequenceBound(successes: number, n: number, alpha: number, side: 'lower' | 'upper', prior: MixturePrior = UNIFORM): number {
  if (n <= 0) return side === 'lower' ? 0 : 1;
  const limit = Math.log(1 / alpha);
  const evidence = mixtureEvidence(successes, n, prior);
  const outside = (p: number) => evidence(p) >= limit;
  const edge = side === 'lower' ? Number.MIN_VALUE : 1 - Number.EPSILON;
  if ((side === 'lower' ? successes <= 0 : successes >= n) || !outside(edge)) return side === 'lower' ? 0 : 1;
  let inside = successes / n;
  let out = side === 'lower' ? 0 : 1;
  for (let i = 0; i < 48; i += 1) {
    const mid = (inside + out) / 2;
    if (outside(mid)) out = mid;
    else inside = mid;
  }
  return inside;
}

/**
 * A fixed-sample Wilson score interval. Valid for one look at the data only; kept to show, next
 * to the confidence sequence, what re-checking it on every snapshot does to the error rate.
 */
export function wilsonInterval(successes: number, n: number, alpha: number): RateBounds {
  if (n <= 0) return { estimate: Number.NaN, lower: 0, upper: 1 };
  const z = normalQuantile(1 - alpha / 2);
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { estimate: p, lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(q: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const poly = (k: number[], x: number) => k.reduce((acc, v) => acc * x + v, 0);
  if (q <= 0) return -Infinity;
  if (q >= 1) return Infinity;
  if (q < 0.02425) {
    const t = Math.sqrt(-2 * Math.log(q));
    return poly(c, t) / (poly(d, t) * t + 1);
  }
  if (q > 1 - 0.02425) return -normalQuantile(1 - q);
  const r = q - 0.5;
  const s = r * r;
  return (poly(a, s) * r) / (poly(b, s) * s + 1);
}

/**
 * About how many samples in all (within 5%), at the current estimate, until the sequence's bound
 * on the estimate's side clears the threshold; undefined when the estimate sits on the threshold.
 */
export function samplesToDecide(successes: number, n: number, threshold: number, alpha: number, limit = 100_000_000): number | undefined {
  const estimate = n > 0 ? successes / n : Number.NaN;
  if (!Number.isFinite(estimate) || estimate === threshold) return undefined;
  const above = estimate > threshold;
  const decided = (m: number) => {
    const bound = sequenceBound(estimate * m, m, alpha, above ? 'lower' : 'upper');
    return above ? bound > threshold : bound < threshold;
  };
  return smallestDecidingSize(n, decided, limit);
}
