import { SDK_DEFAULTS } from './defaults';
import { type Pair, pairSchema } from '@penumbra/contracts';
import { BatchingProducer, ProducerOverloadedError, type ProducerPort, encodeEvent } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { quietLogger } from './quiet-logger';

export interface PairPublisherCounters {
  /** Pairs handed to offer(). */
  offered: number;
  /** Acknowledged by the broker. */
  published: number;
  /** The buffer was full: not sent. */
  dropped: number;
  /** The broker refused the batch. */
  failed: number;
  /** Failed the pair schema: never sent. */
  invalid: number;
}

export interface PairPublisherOptions {
  producer: ProducerPort;
  /** The pairs topic, `shadow.pairs` unless the prefix differs. */
  topic: string;
  logger?: Logger;
  /** Pairs waiting for the broker; past it, new pairs are dropped and counted. */
  maxQueued?: number;
  maxBatch?: number;
  lingerMs?: number;
}

/** Where an experiment sends its pairs; offer() must return at once and never throw. */
export interface PairSink {
  offer(pair: Pair): void;
}

/**
 * Publishes pairs without making the caller wait: offer() returns at once, batches go out behind
 * it, a full buffer drops the pair and a broker failure is counted and logged, never thrown.
 */
export class PairPublisher implements PairSink {
  private readonly batching: BatchingProducer;
  private readonly logger: Logger;
  private readonly tally: PairPublisherCounters = { offered: 0, published: 0, dropped: 0, failed: 0, invalid: 0 };

  constructor(private readonly options: PairPublisherOptions) {
    this.batching = new BatchingProducer(options.producer, {
      maxBatch: options.maxBatch ?? SDK_DEFAULTS.pairPublisher.maxBatch,
      lingerMs: options.lingerMs ?? SDK_DEFAULTS.pairPublisher.lingerMs,
      maxQueued: options.maxQueued ?? SDK_DEFAULTS.pairPublisher.maxQueued,
    });
    this.logger = options.logger ?? quietLogger;
  }

  counters(): PairPublisherCounters {
    return { ...this.tally };
  }

  /** Pairs accepted and not yet acknowledged. */
  get queued(): number {
    return this.batching.queued;
  }

  offer(pair: Pair): void {
    this.tally.offered += 1;
    let message;
    try {
      message = encodeEvent(pairSchema, pair, this.options.topic, pair.id);
    } catch (err) {
      this.tally.invalid += 1;
      this.logger.warn('pair is invalid; not published', { err, pairId: pair.id });
      return;
    }
    this.batching.send(message).then(
      () => {
        this.tally.published += 1;
      },
      (err: unknown) => {
        if (err instanceof ProducerOverloadedError) this.tally.dropped += 1;
        else {
          this.tally.failed += 1;
          this.logger.warn('pair not published', { err, pairId: pair.id });
        }
      },
    );
  }

  /** Sends what is buffered and stops taking more. */
  async close(): Promise<void> {
    await this.batching.close();
  }
}
