import { Counter, Histogram, type Registry } from 'prom-client';

export class ComparatorMetrics {
  readonly outcomes: Counter<'experiment' | 'outcome'>;
  readonly skipped: Counter<'reason'>;
  readonly suppressed: Counter<'experiment'>;
  readonly suspected: Counter<'experiment'>;
  readonly diffSeconds: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.outcomes = new Counter({ name: 'penumbra_comparator_pairs_total', help: 'Pairs compared, by outcome', labelNames: ['experiment', 'outcome'], registers });
    this.skipped = new Counter({
      name: 'penumbra_comparator_pairs_skipped_total',
      help: 'Pairs not diffed: their experiment is unknown or halted',
      labelNames: ['reason'],
      registers,
    });
    this.suppressed = new Counter({ name: 'penumbra_comparator_noise_suppressed_total', help: 'Differences suppressed as noise', labelNames: ['experiment'], registers });
    this.suspected = new Counter({
      name: 'penumbra_comparator_noise_suspected_total',
      help: 'Differences flagged as suspected volatile noise',
      labelNames: ['experiment'],
      registers,
    });
    this.diffSeconds = new Histogram({
      name: 'penumbra_comparator_diff_seconds',
      help: 'Time to diff one pair',
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers,
    });
  }
}
