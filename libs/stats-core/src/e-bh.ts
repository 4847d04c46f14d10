/**
 * The e-BH procedure (Wang & Ramdas 2022, "False discovery rate control with e-values", JRSS-B):
 * with K hypotheses and e-values e_1..e_K, reject the k* largest, where k* is the largest k whose
 * k-th largest e-value is at least K / (alpha k). The false discovery rate is then at most
 * alpha K0 / K (K0: the true nulls) under any dependence between the e-values, which is what paths
 * of one response need: they are computed from the same pairs.
 *
 * Every e-value here is an e-process stopped at a stopping time (Xu, Wang & Ramdas 2021, "A unified
 * framework for bandit multiple testing", NeurIPS): by optional stopping its expectation under the
 * null is still at most 1, so e-BH may be applied at whatever time the experiment is read.
 */

export interface EbhResult {
  /** Whether each hypothesis, in input order, is rejected. */
  rejected: boolean[];
  /** How many are rejected. */
  count: number;
  /** ln of the e-value a hypothesis needed (K / (alpha count)); ln(K / alpha) when none was rejected. */
  logThreshold: number;
}

/**
 * e-BH on e-values given in logs (so that huge counts cannot overflow). `hypotheses` is K: the
 * number of hypotheses under test, at least as many as are given; those not given have e-value 1
 * and are never rejected, but they count, since K must not depend on which paths happened to differ.
 */
export function eBH(logEValues: readonly number[], alpha: number, hypotheses: number = logEValues.length): EbhResult {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`the FDR level must lie in (0, 1), got ${alpha}`);
  if (!Number.isSafeInteger(hypotheses) || hypotheses < logEValues.length) {
    throw new RangeError(`hypotheses must be an integer at least the number of e-values (${logEValues.length}), got ${hypotheses}`);
  }
  if (logEValues.some((e) => Number.isNaN(e))) throw new RangeError('an e-value is NaN');
  const order = logEValues.map((e, i) => ({ e, i })).sort((a, b) => b.e - a.e);
  const logK = Math.log(hypotheses);
  const logAlpha = Math.log(alpha);
  let count = 0;
  for (let k = order.length; k >= 1; k -= 1) {
    if ((order[k - 1] as { e: number }).e >= logK - logAlpha - Math.log(k)) {
      count = k;
      break;
    }
  }
  const logThreshold = logK - logAlpha - Math.log(Math.max(count, 1));
  const rejected = logEValues.map((e) => count > 0 && e >= logThreshold);
  return { rejected, count, logThreshold };
}

/** e-BH's rejections at FDR level alpha stay rejected when each is frozen at its e-value of the moment. */
export interface FrozenEvidence {
  /** ln of the path's e-value now. */
  logEValue: number;
  /** ln of the e-value it was rejected with, once it was. */
  frozenLogEValue?: number;
}

/**
 * e-BH on e-processes, each stopped at the first time it is rejected. A rejected hypothesis keeps
 * the e-value it was rejected with, and stays rejected: when it was rejected among r others, every
 * one of those was stopped too, so at least r stopped e-values are at least K / (alpha r) and e-BH
 * rejects at least them again. The set of rejections therefore only grows, and "ever rejected" is
 * the rejection set of stopped e-processes at the time read, whose FDR e-BH bounds.
 */
export function eBHStopped(evidence: readonly FrozenEvidence[], alpha: number, hypotheses: number = evidence.length): EbhResult & { logEValues: number[] } {
  const logEValues = evidence.map((e) => e.frozenLogEValue ?? e.logEValue);
  return { ...eBH(logEValues, alpha, hypotheses), logEValues };
}
