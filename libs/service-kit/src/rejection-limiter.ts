/**
 * Collapses rejection alerts: at most one per experiment and source within a window, carrying how
 * many rejections it stands for. A flood of forged requests then costs no Redis write and a
 * handful of alerts, never one alert (and two audit records) per junk record. Bounded in keys.
 */
export class RejectionLimiter {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** Whether to alert now, and how many earlier rejections of this key went without an alert. */
  admit(experimentId: string, source: string, now: number): { alert: boolean; suppressed: number } {
    const key = `${experimentId}\u0000${source}`;
    const seen = this.last.get(key);
    if (seen !== undefined && now - seen.at < this.windowMs) {
      seen.suppressed += 1;
      return { alert: false, suppressed: seen.suppressed };
    }
    const suppressed = seen?.suppressed ?? 0;
    this.last.delete(key);
    if (this.last.size >= this.maxKeys) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
    this.last.set(key, { at: now, suppressed: 0 });
    return { alert: true, suppressed };
  }
}
