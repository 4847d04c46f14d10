import { logGamma } from './confidence-sequence';
import { type Direction, type OddsRatios, PLANNED_ODDS_RATIOS, logThresholdEvidence, thresholdBound } from './threshold-test';

/**
 * A threshold test that spends part of its alpha on one early fixed-sample look (Bonferroni's
 * union bound; the idea behind Haybittle 1971 and Peto et al. 1976, with the sequential part
 * anytime-valid instead of group-sequential): on the side whose decision should come early,
 * an exact binomial test at level alpha1 = FIRST_LOOK_SHARE * alpha is taken once, at the first
 * evaluation with at least `firstLookSamples(threshold)` samples, and the sequential probability
 * ratio test of threshold-test.ts runs at level alpha - alpha1 at every evaluation. With the look
 * taking the large shortfalls, that side's test bets on the smallest planned effect alone
 * (EARLY_SIDE_ODDS_RATIOS: Wald's SPRT at an odds ratio of 1.4, 0.931 for a 0.95 threshold)
 * instead of splitting its evidence over two alternatives. Under the null,
 * P(wrong) <= P(the look rejects) + P(the mixture ever rejects) <= alpha1 + (alpha - alpha1).
 *
 * The look is sound only if its timing does not depend on the outcomes (it depends on the traffic
 * and the evaluation schedule alone) and it is taken once: the caller records its counts and
 * passes them back on every later evaluation, which re-uses that one verdict and never looks again.
 * The other side keeps the whole alpha for its mixture test.
 */

/** The share of alpha spent on the early look. */
export const FIRST_LOOK_SHARE = 0.6;

/** The alternative of the early side's sequential test: the smallest planned effect. */
export const EARLY_SIDE_ODDS_RATIOS: OddsRatios = [{ ratio: 1.4, weight: 1 }];

/** Counts seen at the one early look. */
export interface EarlyLook {
  successes: number;
  trials: number;
}

export interface SplitPlan {
  threshold: number;
  alpha: number;
  /** The side the early look can decide. */
  earlySide: Direction;
  /** The look, once taken; undefined before it (or when it was lost: the mixture then runs alone at its reduced level). */
  look: EarlyLook | undefined;
}

/**
 * The samples the early look waits for: five expected outcomes of the rarer kind at the
 * threshold (100 for a threshold of 0.95 or 0.05), so that an exact test has a shortfall to see.
 */
export function firstLookSamples(threshold: number): number {
  const rare = Math.min(threshold, 1 - threshold);
  return rare <= 0 ? Infinity : Math.ceil(5 / rare - 1e-9);
}

function logBinomialPmf(k: number, n: number, p: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/** Sums pmf(k), pmf(k + step), ... while the terms matter (they shrink away from the mean). */
function tailFrom(k: number, n: number, p: number, step: 1 | -1): number {
  let log = logBinomialPmf(k, n, p);
  let sum = 0;
  for (let j = k; j >= 0 && j <= n; j += step) {
    const term = Math.exp(log);
    sum += term;
    if (term === 0 || term < sum * 1e-17) break;
    log += step === 1 ? Math.log((n - j) / (j + 1)) + Math.log(p / (1 - p)) : Math.log(j / (n - j + 1)) + Math.log((1 - p) / p);
  }
  return Math.min(1, sum);
}

/** P(X <= k) for X ~ Binomial(n, p), exact up to rounding. */
export function binomialAtMost(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n || p <= 0) return 1;
  if (p >= 1) return 0;
  // Sum from k towards the far end when k lies below the mean, else take the complement.
  return k <= n * p ? tailFrom(k, n, p, -1) : 1 - tailFrom(k + 1, n, p, 1);
}

/** Whether the exact one-sided binomial test at level alpha shows the rate below (or above) t. */
export function exactTest(successes: number, n: number, threshold: number, alpha: number, direction: Direction): boolean {
  if (n <= 0) return false;
  if (direction === 'below') return threshold > 0 && binomialAtMost(successes, n, threshold) <= alpha;
  return threshold < 1 && binomialAtMost(n - successes, n, 1 - threshold) <= alpha;
}

/** The Clopper-Pearson one-sided bound at level alpha: the exact test at t decides exactly beyond it. */
export function exactBound(successes: number, n: number, alpha: number, side: 'lower' | 'upper'): number {
  if (n <= 0) return side === 'lower' ? 0 : 1;
  const direction: Direction = side === 'upper' ? 'below' : 'above';
  const edge = side === 'upper' ? 1 : 0;
  let inside = successes / n;
  let out = edge;
  if (!exactTest(successes, n, side === 'upper' ? 1 - 1e-12 : 1e-12, alpha, direction)) return edge;
  for (let i = 0; i < 40; i += 1) {
    const mid = (inside + out) / 2;
    if (exactTest(successes, n, mid, alpha, direction)) out = mid;
    else inside = mid;
  }
  return inside;
}

/** The parts of one side of the test: the look's alpha (0 when it has none), and its sequential test's. */
export interface SideParts {
  lookAlpha: number;
  alpha: number;
  ratios: OddsRatios;
}

export function sideParts(plan: Pick<SplitPlan, 'alpha' | 'earlySide'>, direction: Direction): SideParts {
  if (direction !== plan.earlySide) return { lookAlpha: 0, alpha: plan.alpha, ratios: PLANNED_ODDS_RATIOS };
  const lookAlpha = FIRST_LOOK_SHARE * plan.alpha;
  return { lookAlpha, alpha: plan.alpha - lookAlpha, ratios: EARLY_SIDE_ODDS_RATIOS };
}

/** Whether the combined test has shown the rate below (or above) the threshold after `successes` of `n`. */
export function splitTestShows(successes: number, n: number, plan: SplitPlan, direction: Direction): boolean {
  const part = sideParts(plan, direction);
  if (part.lookAlpha > 0 && plan.look !== undefined && exactTest(plan.look.successes, plan.look.trials, plan.threshold, part.lookAlpha, direction)) return true;
  return n > 0 && logThresholdEvidence(successes, n, plan.threshold, direction, part.ratios) >= Math.log(1 / part.alpha);
}

/**
 * The bound that goes with the combined test: on the early side, the tighter of the look's exact
 * bound at alpha1 and the sequential test's at alpha - alpha1 (a rate is ruled out when either
 * part rules it out); on the other side, the mixture's at alpha.
 */
export function splitTestBound(successes: number, n: number, plan: Omit<SplitPlan, 'threshold'>, side: 'lower' | 'upper'): number {
  const part = sideParts(plan, side === 'upper' ? 'below' : 'above');
  const sequential = thresholdBound(successes, n, part.alpha, side, part.ratios);
  if (part.lookAlpha === 0 || plan.look === undefined) return sequential;
  const exact = exactBound(plan.look.successes, plan.look.trials, part.lookAlpha, side);
  return side === 'upper' ? Math.min(sequential, exact) : Math.max(sequential, exact);
}
