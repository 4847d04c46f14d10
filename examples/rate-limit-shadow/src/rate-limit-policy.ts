/**
 * A rate-limit policy: at most `limit` requests per tenant in any `windowMs`, plus at most `burst`
 * in any one second when set. A policy is plain data, so two of them can be compared and swapped.
 */
export interface RateLimitPolicy {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly burst?: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** The rule that refused the request, when one did. */
  rule: 'window' | 'burst' | null;
  retryAfterMs: number;
}

/** The policy in production today. */
export const CURRENT_POLICY: RateLimitPolicy = Object.freeze({ name: 'fixed-100-per-min', limit: 100, windowMs: 60_000 });

/** The policy under evaluation: a larger window allowance, but bursts capped. */
export const PROPOSED_POLICY: RateLimitPolicy = Object.freeze({ name: 'sliding-120-per-min-burst-10', limit: 120, windowMs: 60_000, burst: 10 });

/** Counts the hits inside a window ending at `now`; `hits` is in ascending time order. */
function countSince(hits: readonly number[], since: number): { count: number; oldest: number | undefined } {
  let i = hits.length;
  while (i > 0 && (hits[i - 1] ?? 0) > since) i -= 1;
  return { count: hits.length - i, oldest: hits[i] };
}

/** Decides one request from the tenant's recent hits (not counting this one). Pure. */
export function decide(policy: RateLimitPolicy, hits: readonly number[], now: number): RateLimitDecision {
  const window = countSince(hits, now - policy.windowMs);
  if (window.count >= policy.limit) return { allowed: false, rule: 'window', retryAfterMs: Math.max(0, (window.oldest ?? now) + policy.windowMs - now) };
  if (policy.burst !== undefined) {
    const second = countSince(hits, now - 1000);
    if (second.count >= policy.burst) return { allowed: false, rule: 'burst', retryAfterMs: Math.max(0, (second.oldest ?? now) + 1000 - now) };
  }
  return { allowed: true, rule: null, retryAfterMs: 0 };
}

/**
 * Each tenant's recent request times, bounded: at most `maxPerTenant` times per tenant and
 * `maxTenants` tenants (the least recently seen is forgotten first).
 */
export class HitLog {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly maxPerTenant = 1000,
    private readonly maxTenants = 10_000,
  ) {}

  of(tenant: string): readonly number[] {
    return this.hits.get(tenant) ?? [];
  }

  record(tenant: string, at: number): void {
    const list = this.hits.get(tenant) ?? [];
    this.hits.delete(tenant);
    list.push(at);
    if (list.length > this.maxPerTenant) list.splice(0, list.length - this.maxPerTenant);
    this.hits.set(tenant, list);
    if (this.hits.size > this.maxTenants) {
      const oldest = this.hits.keys().next();
      if (!oldest.done) this.hits.delete(oldest.value);
    }
  }
}
