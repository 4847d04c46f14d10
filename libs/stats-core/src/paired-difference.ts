import { smallestDecidingSize } from './sample-search';

/**
 * A paired, anytime-valid test of "the candidate differs at a path no more often than production
 * differs from itself".
 *
 * Every pair with a secondary gives, at one path, two indicators: C (the candidate differs from
 * the primary) and S (the secondary differs from the primary). D = C - S lies in {-1, 0, 1} and its
 * mean is the excess difference rate Δ = P(C) - P(S) = p10 - p01 (candidate-only minus
 * secondary-only pairs): only the discordant pairs carry information about it, as in McNemar's test.
 *
 * For a bet λ in [0, 1/(1 + m)], the wealth Π_i (1 + λ (D_i - m)) is a nonnegative supermartingale
 * whenever Δ <= m, since each factor then has conditional expectation 1 + λ (Δ - m) <= 1; an average
 * of such wealths over a fixed grid of bets is one too, and by Ville's inequality it ever reaches
 * 1/α with probability at most α (Ramdas, Grünwald, Vovk & Shafer 2023; Waudby-Smith & Ramdas 2023).
 * At m = 0 the factors are (1 + λ) for a candidate-only pair, (1 - λ) for a secondary-only pair and
 * 1 otherwise: a betting form of McNemar's test on the discordant pairs. A constant bet makes the
 * wealth a function of the counts alone, so the statistics are four mergeable counters and the
 * order of the pairs does not matter.
 */

/** Mergeable sufficient statistics of one path: pairs with a secondary and the three non-empty cells. */
export interface PairCounts {
  /** Pairs with a secondary seen by the path's endpoint (including those where nothing differed). */
  n: number;
  /** Pairs where the candidate differed at the path and the secondary did not. */
  candidateOnly: number;
  /** Pairs where the secondary differed at the path and the candidate did not. */
  secondaryOnly: number;
  /** Pairs where both differed. */
  both: number;
}

export const EMPTY_COUNTS: PairCounts = Object.freeze({ n: 0, candidateOnly: 0, secondaryOnly: 0, both: 0 });

/** Throws a RangeError unless the counts are non-negative integers whose cells fit in n. */
export function assertCounts(c: PairCounts): void {
  const cells = [c.n, c.candidateOnly, c.secondaryOnly, c.both];
  if (!cells.every((x) => Number.isSafeInteger(x) && x >= 0)) throw new RangeError(`counts must be non-negative integers, got ${JSON.stringify(c)}`);
  if (c.candidateOnly + c.secondaryOnly + c.both > c.n) throw new RangeError(`counts exceed their pairs: ${JSON.stringify(c)}`);
}

export function mergeCounts(a: PairCounts, b: PairCounts): PairCounts {
  return { n: a.n + b.n, candidateOnly: a.candidateOnly + b.candidateOnly, secondaryOnly: a.secondaryOnly + b.secondaryOnly, both: a.both + b.both };
}

/** Adds one pair's indicators at the path. */
export function addPair(c: PairCounts, candidateDiffers: boolean, secondaryDiffers: boolean): PairCounts {
  return {
    n: c.n + 1,
    candidateOnly: c.candidateOnly + (candidateDiffers && !secondaryDiffers ? 1 : 0),
    secondaryOnly: c.secondaryOnly + (secondaryDiffers && !candidateDiffers ? 1 : 0),
    both: c.both + (candidateDiffers && secondaryDiffers ? 1 : 0),
  };
}

/**
 * The bets, as shares c of the largest bet that keeps the wealth positive, weighted equally: from
 * 0.95 (a path that never differs in production, where one candidate-only pair is strong evidence)
 * down to 2^-12 (an equivalence margin of 0.001 on a path that differs half the time). Halving steps
 * lose at most about a tenth of the growth rate of the best constant bet.
 */
export const BET_SHARES: readonly number[] = [0.95, ...Array.from({ length: 12 }, (_, i) => 2 ** -(i + 1))];
const LOG_WEIGHT = -Math.log(BET_SHARES.length);

export type ExcessSide = 'above' | 'below';

/**
 * ln E_n(m): the evidence that the excess difference rate lies above m ('above', against Δ <= m)
 * or below m ('below', against Δ >= m), for m in (-1, 1). 'above' at m = 0 is the regression test.
 */
export function logExcessEvidence(c: PairCounts, m: number, side: ExcessSide): number {
  assertCounts(c);
  if (!(m > -1 && m < 1)) throw new RangeError(`the excess rate tested must lie in (-1, 1), got ${m}`);
  const { candidateOnly: up, secondaryOnly: down } = c;
  const rest = c.n - up - down;
  const terms = BET_SHARES.map((share) => {
    // Factors for D = +1, -1 and 0, with λ = share / (1 ± m).
    const scale = side === 'above' ? share / (1 + m) : share / (1 - m);
    const plus = side === 'above' ? 1 + scale * (1 - m) : 1 - scale * (1 - m);
    const minus = side === 'above' ? 1 - scale * (1 + m) : 1 + scale * (1 + m);
    const zero = side === 'above' ? 1 - scale * m : 1 + scale * m;
    return LOG_WEIGHT + term(up, plus) + term(down, minus) + term(rest, zero);
  });
  return logSumExp(terms);
}

function term(count: number, factor: number): number {
  return count === 0 ? 0 : count * Math.log(factor);
}

export function logSumExp(terms: readonly number[]): number {
  let max = -Infinity;
  for (const t of terms) if (t > max) max = t;
  if (max === -Infinity || max === Infinity) return max;
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  return max + Math.log(sum);
}

/** The regression test's e-value in logs: the evidence that the candidate differs more often than production. */
export function logRegressionEvidence(c: PairCounts): number {
  return logExcessEvidence(c, 0, 'above');
}

export interface ExcessBounds {
  /** (candidate-only - secondary-only) / n; NaN without pairs. */
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * The confidence sequence for the excess difference rate at level 1 - alpha: the rates m that
 * neither side's test has ruled out. It holds at every n at once; each side alone has error at most
 * alpha (so the upper bound is a one-sided (1 - alpha) bound, as a gate needs).
 */
export function excessConfidenceSequence(c: PairCounts, alpha: number): ExcessBounds {
  assertCounts(c);
  assertLevel(alpha);
  if (c.n === 0) return { estimate: Number.NaN, lower: -1, upper: 1 };
  return { estimate: (c.candidateOnly - c.secondaryOnly) / c.n, lower: excessBound(c, alpha, 'lower'), upper: excessBound(c, alpha, 'upper') };
}

/**
 * One side of the sequence, by bisection. The evidence grows monotonically with the distance from
 * the estimate (each factor is monotone in m), and at the estimate itself every bet's wealth is at
 * most 1 (ln(1 + x) <= x), so the estimate always lies inside.
 */
export function excessBound(c: PairCounts, alpha: number, side: 'lower' | 'upper'): number {
  assertCounts(c);
  assertLevel(alpha);
  if (c.n === 0) return side === 'lower' ? -1 : 1;
  const limit = Math.log(1 / alpha);
  const edge = side === 'upper' ? 1 - 1e-12 : -1 + 1e-12;
  const ruledOut = (m: number) => logExcessEvidence(c, m, side === 'upper' ? 'below' : 'above') >= limit;
  if (!ruledOut(edge)) return side === 'upper' ? 1 : -1;
  let inside = (c.candidateOnly - c.secondaryOnly) / c.n;
  let out = edge;
  for (let i = 0; i < 50; i += 1) {
    const mid = (inside + out) / 2;
    if (ruledOut(mid)) out = mid;
    else inside = mid;
  }
  return out;
}

export function assertLevel(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`a level must lie in (0, 1), got ${alpha}`);
}

/**
 * About how many pairs in all (within 5%) until a path is decided, were its cell rates to stay where
 * they are: until the regression evidence reaches `logTarget` when the candidate-only share is the
 * larger, else until the upper bound falls below `delta` (> 0) at level alpha. Undefined without
 * pairs or beyond `limit`.
 */
export function pairsToDecide(c: PairCounts, options: { logTarget: number; delta: number; alpha: number; limit?: number }): number | undefined {
  assertCounts(c);
  const limit = options.limit ?? 1e10;
  if (!(options.delta > 0)) throw new RangeError(`the equivalence margin must be positive, got ${options.delta}`);
  if (c.n === 0) return undefined;
  const r10 = c.candidateOnly / c.n;
  const r01 = c.secondaryOnly / c.n;
  const towardsRegression = r10 > r01;
  const scaled = (m: number): PairCounts => {
    const up = Math.round(r10 * m);
    const down = Math.min(Math.round(r01 * m), m - up);
    return { n: m, candidateOnly: up, secondaryOnly: down, both: 0 };
  };
  const bound = Math.log(1 / options.alpha);
  const decided = (m: number) =>
    towardsRegression ? logExcessEvidence(scaled(m), 0, 'above') >= options.logTarget : logExcessEvidence(scaled(m), options.delta, 'below') >= bound;
  return smallestDecidingSize(c.n, decided, limit);
}
