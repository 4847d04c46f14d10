import { type Policy } from '@penumbra/contracts';

/** Recent promotions as the two circuit breakers count them. */
export interface BreakerCounts {
  /** This experiment's promotions within its window: of this slice, or of every slice (`per`). */
  experiment: number;
  /** Every promotion in the fleet within the fleet window. */
  fleet: number;
}

export interface PromotionRecord {
  experimentId: string;
  slice: string;
  at: number;
}

/** Counts the promotions each breaker of `policy` sees, for a slice of an experiment at `now`. */
export function breakerCounts(policy: Policy, experimentId: string, slice: string, now: number, promotions: readonly PromotionRecord[]): BreakerCounts {
  const b = policy.circuitBreaker;
  const since = now - b.windowSec * 1000;
  const fleetSince = now - b.fleet.windowSec * 1000;
  return {
    experiment: promotions.filter((p) => p.experimentId === experimentId && (b.per === 'experiment' || p.slice === slice) && p.at > since).length,
    fleet: promotions.filter((p) => p.at > fleetSince).length,
  };
}

/** Why a promotion is held by a circuit breaker, or undefined when both are closed. */
export function openBreaker(policy: Policy, counts: BreakerCounts, slice: string): string | undefined {
  const b = policy.circuitBreaker;
  if (counts.experiment >= b.maxPromotions) {
    const whose = b.per === 'experiment' || slice === '*' ? 'of this experiment' : `of slice ${slice}`;
    return `the experiment's promotion circuit breaker is open (${counts.experiment} of ${b.maxPromotions} promotions ${whose} in ${b.windowSec} s)`;
  }
  if (counts.fleet >= b.fleet.maxPromotions) {
    return `the fleet-wide promotion circuit breaker is open (${counts.fleet} of ${b.fleet.maxPromotions} promotions across the fleet in ${b.fleet.windowSec} s)`;
  }
  return undefined;
}
