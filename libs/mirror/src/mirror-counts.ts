import { MIRROR_COUNT_METRICS, type MetricObservation, metricObservationSchema } from '@penumbra/contracts';
import { type SkipReason } from './mirror-metrics';

interface Tally {
  matched: number;
  mirrored: number;
  skipped: Map<SkipReason, number>;
}

/** At most this many experiments are tallied between two drains; past it, new ones wait for the next. */
const MAX_EXPERIMENTS = 10_000;

/**
 * Per-experiment counts since the last drain: what reached the target, what became a pair and
 * what was skipped, by reason. Drained into metric observations, so that coverage (mirrored ÷
 * matched) reaches the aggregates, the sentinel's evidence and `penumbra status`.
 */
export class MirrorCounts {
  private tallies = new Map<string, Tally>();
  private sequence = 0;

  constructor(private readonly source: string) {}

  private tally(experimentId: string): Tally | undefined {
    let t = this.tallies.get(experimentId);
    if (!t && this.tallies.size < MAX_EXPERIMENTS) {
      t = { matched: 0, mirrored: 0, skipped: new Map() };
      this.tallies.set(experimentId, t);
    }
    return t;
  }

  matched(experimentId: string): void {
    const t = this.tally(experimentId);
    if (t) t.matched += 1;
  }

  mirrored(experimentId: string): void {
    const t = this.tally(experimentId);
    if (t) t.mirrored += 1;
  }

  skipped(experimentId: string, reason: SkipReason): void {
    const t = this.tally(experimentId);
    if (t) t.skipped.set(reason, (t.skipped.get(reason) ?? 0) + 1);
  }

  /** The counts since the last drain as observations (ids unique per source and drain), and a fresh start. */
  drain(now: number): MetricObservation[] {
    const tallies = this.tallies;
    this.tallies = new Map();
    this.sequence += 1;
    const out: MetricObservation[] = [];
    for (const [experimentId, t] of tallies) {
      const skipped = [...t.skipped.values()].reduce((a, b) => a + b, 0);
      const values: Array<[string, number]> = [
        [MIRROR_COUNT_METRICS.matched, t.matched],
        [MIRROR_COUNT_METRICS.mirrored, t.mirrored],
        [MIRROR_COUNT_METRICS.skipped, skipped],
        ...[...t.skipped].map(([reason, n]): [string, number] => [`${MIRROR_COUNT_METRICS.skipped}_${reason}`, n]),
      ];
      for (const [name, value] of values) {
        out.push(
          metricObservationSchema.parse({
            type: 'metric.v1',
            id: `mirror:${this.source}:${this.sequence}:${experimentId}:${name}`,
            ts: now,
            experimentId,
            name,
            value,
            side: 'candidate',
          }),
        );
      }
    }
    return out;
  }
}
