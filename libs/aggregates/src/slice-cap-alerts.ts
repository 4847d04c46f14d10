import { type Alert, alertSchema } from '@penumbra/contracts';

/** Events refused a slice of their own, alerted at most once per experiment per interval with the count since the last alert. */
export class SliceCapAlerts {
  private readonly refused = new Map<string, number>();
  private readonly alertedAt = new Map<string, number>();

  constructor(
    private readonly maxSlices: number,
    private readonly intervalMs: number,
  ) {}

  count(refused: Map<string, number>): void {
    for (const [experimentId, n] of refused) this.refused.set(experimentId, (this.refused.get(experimentId) ?? 0) + n);
  }

  drain(now: number): Alert[] {
    const alerts: Alert[] = [];
    for (const [experimentId, n] of this.refused) {
      if (now - (this.alertedAt.get(experimentId) ?? Number.NEGATIVE_INFINITY) < this.intervalMs) continue;
      this.refused.delete(experimentId);
      this.alertedAt.set(experimentId, now);
      alerts.push(
        alertSchema.parse({
          type: 'alert.v1',
          id: `slice-cap:${experimentId}:${now}`.slice(0, 512),
          ts: now,
          experimentId,
          severity: 'warning',
          kind: 'cap-reached',
          source: 'aggregator',
          message: `${experimentId} has ${this.maxSlices} slices, the cap (AGGREGATOR_MAX_SLICES_PER_EXPERIMENT); ${n} event(s) with a new slice counted in its (other) slice`,
          details: { cap: this.maxSlices, refused: n },
        }),
      );
    }
    // Experiments quiet for an interval are forgotten, so the map stays as small as the set of offenders.
    for (const [experimentId, at] of this.alertedAt) if (now - at >= this.intervalMs && !this.refused.has(experimentId)) this.alertedAt.delete(experimentId);
    return alerts;
  }
}
