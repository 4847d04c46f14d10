import { type TrafficRecord, trafficRecordSchema } from '@penumbra/contracts';
import { BatchingProducer, ProducerOverloadedError, type ProducerPort, encodeEvent } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { Counter, type Registry } from 'prom-client';

export interface CapturePublisherOptions {
  producer: ProducerPort;
  topic: string;
  logger: Logger;
  registry: Registry;
  /** Records waiting for Kafka; past it, new records are dropped and counted. */
  maxQueued?: number;
}

/**
 * Publishes captured records without ever making production wait: offer() returns at once, a
 * full buffer drops the record (counted), and a Kafka failure is counted and logged, not thrown.
 */
export class CapturePublisher {
  private readonly batching: BatchingProducer;
  private readonly outcomes: Counter<'outcome'>;

  constructor(private readonly options: CapturePublisherOptions) {
    this.batching = new BatchingProducer(options.producer, { maxBatch: 500, lingerMs: 20, maxQueued: options.maxQueued ?? 10_000 });
    this.outcomes = new Counter({
      name: 'penumbra_capture_records_total',
      help: 'Captured records by outcome: published, dropped (buffer full), failed (Kafka refused), invalid',
      labelNames: ['outcome'],
      registers: [options.registry],
    });
  }

  get queued(): number {
    return this.batching.queued;
  }

  offer(record: TrafficRecord): void {
    let message;
    try {
      message = encodeEvent(trafficRecordSchema, record, this.options.topic, record.sessionKey ?? record.id);
    } catch (err) {
      this.outcomes.inc({ outcome: 'invalid' });
      this.options.logger.warn('captured record is invalid; not published', { err });
      return;
    }
    this.batching.send(message).then(
      () => this.outcomes.inc({ outcome: 'published' }),
      (err: unknown) => {
        if (err instanceof ProducerOverloadedError) this.outcomes.inc({ outcome: 'dropped' });
        else {
          this.outcomes.inc({ outcome: 'failed' });
          this.options.logger.warn('captured record not published', { err });
        }
      },
    );
  }

  async close(): Promise<void> {
    await this.batching.close();
  }
}
