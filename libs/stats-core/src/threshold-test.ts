import { normalQuantile } from './confidence-sequence';
import { smallestDecidingSize } from './sample-search';

/**
 * Anytime-valid one-sided tests of a rate against a gate's threshold: a mixture sequential
 * probability ratio test (Robbins 1970; Wald 1945) whose alternatives sit at a planned effect
 * either side of the threshold, so that it spends its evidence where a gate's decision lies.
 *
 * To show that a rate p lies below a threshold t (to reject H0: p >= t), it bets on alternatives
 * q_j < t: E_n = sum_j w_j prod_i (q_j / t)^{x_i} ((1 - q_j) / (1 - t))^{1 - x_i}. Under any p >= t
 * each factor has expectation p q_j / t + (1 - p)(1 - q_j) / (1 - t) <= 1, so E_n is a nonnegative
 * supermartingale and, by Ville's inequality, P(sup_n E_n >= 1 / alpha) <= alpha: the chance of
 * ever deciding wrongly stays under alpha however often, and whenever, the evidence is looked at.
 * Showing that p lies above t is the mirror image.
 *
 * The alternatives are set as odds ratios of the threshold (PLANNED_ODDS_RATIOS): for a 0.95
 * threshold they are about 0.93 and 0.90 below it, 0.964 and 0.974 above it. Effects in that
 * range are decided near the fixed-horizon test's sample size; much smaller effects take longer
 * than a test planned for them would (the cost of not knowing the effect in advance), and much
 * larger ones are still decided within tens of samples.
 */

/** The planned effects, as odds ratios against the threshold, and their weights in the mixture. */
export const PLANNED_ODDS_RATIOS: OddsRatios = [
  { ratio: 1.4, weight: 0.5 },
  { ratio: 2, weight: 0.5 },
];

export type Direction = 'below' | 'above';

/** The alternatives of a mixture, as odds ratios against the threshold, with their weights. */
export type OddsRatios = ReadonlyArray<{ ratio: number; weight: number }>;

/** The alternatives a test of "p is below (or above) t" bets on. */
export function alternativesOf(threshold: number, direction: Direction): Array<{ q: number; weight: number }> {
  const odds = threshold / (1 - threshold);
  return PLANNED_ODDS_RATIOS.map(({ ratio, weight }) => {
    const alt = direction === 'below' ? odds / ratio : odds * ratio;
    return { q: alt / (1 + alt), weight };
  });
}

/**
 * ln E_n: the evidence that the rate lies strictly below (or above) `threshold`, after
 * `successes` out of `n`. At a threshold of 0 or 1 the answer is certain once a single sample
 * lands on the far side of it, and impossible otherwise.
 */
export function logThresholdEvidence(successes: number, n: number, threshold: number, direction: Direction, ratios: OddsRatios = PLANNED_ODDS_RATIOS): number {
  if (n <= 0) return 0;
  const failures = n - successes;
  if (threshold <= 0) return direction === 'above' && successes > 0 ? Infinity : direction === 'above' ? 0 : -Infinity;
  if (threshold >= 1) return direction === 'below' && failures > 0 ? Infinity : direction === 'below' ? 0 : -Infinity;
  const odds = threshold / (1 - threshold);
  let max = -Infinity;
  const terms: number[] = [];
  for (const { ratio, weight } of ratios) {
    const alt = direction === 'below' ? odds / ratio : odds * ratio;
    // q / t and (1 - q) / (1 - t) for q = alt / (1 + alt), t = odds / (1 + odds).
    const up = (alt / odds) * ((1 + odds) / (1 + alt));
    const down = (1 + odds) / (1 + alt);
    const term = Math.log(weight) + successes * Math.log(up) + failures * Math.log(down);
    terms.push(term);
    if (term > max) max = term;
  }
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  return max + Math.log(sum);
}

export interface ThresholdTest {
  /** Shown, at level alpha, that the rate lies below the threshold. */
  below: boolean;
  /** Shown, at level alpha, that the rate lies above the threshold. */
  above: boolean;
  /** ln of each side's evidence (decided when >= ln(1 / alpha)). */
  logEvidence: { below: number; above: number };
}

export function thresholdTest(successes: number, n: number, threshold: number, alpha: number): ThresholdTest {
  const limit = Math.log(1 / alpha);
  const below = logThresholdEvidence(successes, n, threshold, 'below');
  const above = logThresholdEvidence(successes, n, threshold, 'above');
  return { below: below >= limit, above: above >= limit, logEvidence: { below, above } };
}

/**
 * The confidence bound that goes with the test, found by inverting it: the upper bound is the
 * least rate that the data have not yet shown to be too high (every rate at or above it is still
 * possible at level alpha), the lower bound mirrors it. A threshold lies outside the bound exactly
 * when the test at that threshold decided, since the evidence grows monotonically with the
 * distance from the estimate on its side.
 */
export function thresholdBound(successes: number, n: number, alpha: number, side: 'lower' | 'upper', ratios: OddsRatios = PLANNED_ODDS_RATIOS): number {
  if (n <= 0) return side === 'lower' ? 0 : 1;
  const limit = Math.log(1 / alpha);
  const estimate = successes / n;
  // The upper bound: the rates t for which "p is below t" is shown lie above it.
  const shown = (t: number) => logThresholdEvidence(successes, n, t, side === 'upper' ? 'below' : 'above', ratios) >= limit;
  const edge = side === 'upper' ? 1 - 1e-12 : 1e-12;
  if (!shown(edge)) return side === 'upper' ? 1 : 0;
  let inside = estimate;
  let out = edge;
  for (let i = 0; i < 36; i += 1) {
    const mid = (inside + out) / 2;
    if (shown(mid)) out = mid;
    else inside = mid;
  }
  return inside;
}

/**
 * About how many samples in all until the test decides, were the estimate to stay where it is
 * (within 5%); undefined when the estimate sits on the threshold.
 */
export function samplesToDecideThreshold(
  successes: number,
  n: number,
  threshold: number,
  alpha: number,
  ratios: OddsRatios = PLANNED_ODDS_RATIOS,
  limit = 100_000_000,
): number | undefined {
  const estimate = n > 0 ? successes / n : Number.NaN;
  if (!Number.isFinite(estimate) || estimate === threshold) return undefined;
  const direction: Direction = estimate < threshold ? 'below' : 'above';
  const decided = (m: number) => logThresholdEvidence(estimate * m, m, threshold, direction, ratios) >= Math.log(1 / alpha);
  return smallestDecidingSize(n, decided, limit);
}

/**
 * The one-sided fixed-horizon sample size (normal approximation) for a test of H0: p = p0 at
 * level alpha with the given power at p = p1: the yardstick the sequential test is measured by.
 */
export function fixedHorizonSamples(p0: number, p1: number, alpha: number, power: number): number {
  const z = normalQuantile;
  const a = z(1 - alpha) * Math.sqrt(p0 * (1 - p0));
  const b = z(power) * Math.sqrt(p1 * (1 - p1));
  return Math.ceil(((a + b) / (p0 - p1)) ** 2);
}
