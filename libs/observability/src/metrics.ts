import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A registry of one service's own: never prom-client's global one. */
export function createMetricsRegistry(service: string, options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/** The counters every consumer-producer pipeline reports. */
export class PipelineMetrics {
  readonly consumed: Counter<'topic'>;
  readonly produced: Counter<'topic'>;
  readonly deadLettered: Counter<'topic' | 'error_class'>;
  readonly batchSeconds: Histogram<'topic'>;
  readonly handlerRetries: Counter<'topic'>;
  readonly deadLetterFallbacks: Counter<'topic' | 'outcome'>;
  readonly lag: Gauge<'topic' | 'partition'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.consumed = new Counter({ name: 'penumbra_records_consumed_total', help: 'Records consumed, valid or not', labelNames: ['topic'], registers });
    this.produced = new Counter({ name: 'penumbra_records_produced_total', help: 'Records produced and acknowledged', labelNames: ['topic'], registers });
    this.deadLettered = new Counter({
      name: 'penumbra_records_dead_lettered_total',
      help: 'Records sent to the dead-letter topic',
      labelNames: ['topic', 'error_class'],
      registers,
    });
    this.batchSeconds = new Histogram({
      name: 'penumbra_batch_processing_seconds',
      help: 'Time to process one consumed batch, commit included',
      labelNames: ['topic'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.handlerRetries = new Counter({ name: 'penumbra_handler_retries_total', help: 'Batch handler retries after retriable errors', labelNames: ['topic'], registers });
    this.deadLetterFallbacks = new Counter({
      name: 'penumbra_dead_letter_fallbacks_total',
      help: 'Dead letters the broker refused in full: written minimal (coordinates, size, digest) or lost',
      labelNames: ['topic', 'outcome'],
      registers,
    });
    this.lag = new Gauge({ name: 'penumbra_consumer_lag', help: 'High watermark minus the last consumed offset', labelNames: ['topic', 'partition'], registers });
  }
}
