import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type SkipReason =
  | 'not-sampled'
  | 'method-not-allowed'
  | 'unsafe-path'
  | 'unsendable-header'
  | 'unsendable-request'
  | 'request-too-large'
  | 'rate-limit'
  | 'overload'
  | 'pair-too-large'
  | 'invalid-pair'
  /** A replayed record whose live reference (the secondary's first answer) failed: nothing to compare against. */
  | 'reference-failed'
  /** A replayed record for an experiment without a secondary: a stale capture is never compared. */
  | 'no-secondary';

export class MirrorMetrics {
  readonly seen: Counter;
  readonly matched: Counter<'experiment'>;
  readonly sampled: Counter<'experiment'>;
  readonly skipped: Counter<'experiment' | 'reason'>;
  readonly replays: Counter<'experiment' | 'side' | 'outcome'>;
  readonly replaySeconds: Histogram<'side'>;
  readonly inFlight: Gauge<'experiment'>;
  readonly goreplay: Counter<'outcome'>;
  readonly goreplayPending: Gauge;
  readonly goreplayPendingBytes: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.seen = new Counter({ name: 'penumbra_mirror_records_seen_total', help: 'Captured records read', registers });
    this.matched = new Counter({ name: 'penumbra_mirror_records_matched_total', help: "Records in an experiment's target", labelNames: ['experiment'], registers });
    this.sampled = new Counter({ name: 'penumbra_mirror_records_sampled_total', help: 'Records replayed into a pair', labelNames: ['experiment'], registers });
    this.skipped = new Counter({
      name: 'penumbra_mirror_records_skipped_total',
      help: 'Records in a target not replayed, by reason',
      labelNames: ['experiment', 'reason'],
      registers,
    });
    this.replays = new Counter({ name: 'penumbra_mirror_replays_total', help: 'Replays by side and outcome', labelNames: ['experiment', 'side', 'outcome'], registers });
    this.replaySeconds = new Histogram({
      name: 'penumbra_mirror_replay_seconds',
      help: 'Replay latency by side',
      labelNames: ['side'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.inFlight = new Gauge({ name: 'penumbra_mirror_in_flight', help: 'Replays in flight', labelNames: ['experiment'], registers });
    this.goreplay = new Counter({
      name: 'penumbra_mirror_goreplay_messages_total',
      help: 'GoReplay messages by outcome (joined, or rejected as replayed, duplicate, expired, evicted, too-large, invalid)',
      labelNames: ['outcome'],
      registers,
    });
    this.goreplayPending = new Gauge({ name: 'penumbra_mirror_goreplay_pending', help: 'GoReplay halves waiting for their other half', registers });
    this.goreplayPendingBytes = new Gauge({
      name: 'penumbra_mirror_goreplay_pending_bytes',
      help: 'Bytes the waiting GoReplay halves hold, as counted against the budget',
      registers,
    });
  }
}
