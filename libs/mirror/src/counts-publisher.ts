import { metricObservationSchema } from '@penumbra/contracts';
import { type ProducerPort, encodeEvent } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { type MirrorCounts } from './mirror-counts';

export interface CountsPublisherOptions {
  counts: MirrorCounts;
  producer: Pick<ProducerPort, 'send'>;
  /** The metrics topic the counts are published to, as metric.v1 observations. */
  topic: string;
  intervalMs: number;
  logger: Logger;
  clock?: () => number;
}

/**
 * Publishes the mirror's per-experiment counts every `intervalMs`, one send at a time. `stop()`
 * publishes the last ones: call it after the traffic consumer drained and before the producer closes.
 */
export class CountsPublisher {
  private sending: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: CountsPublisherOptions) {
    this.timer = setInterval(() => void this.flush(), options.intervalMs);
    this.timer.unref();
  }

  /** Publishes what was counted since the last flush; a failed send is logged, the counts of that interval lost. */
  flush(): Promise<void> {
    const { counts, producer, topic, logger, clock = Date.now } = this.options;
    const observations = counts.drain(clock());
    if (observations.length === 0) return this.sending;
    const messages = observations.map((o) => encodeEvent(metricObservationSchema, o, topic, o.experimentId));
    this.sending = this.sending
      .then(() => producer.send(messages))
      .catch((err: unknown) => logger.warn('mirror counts not published; coverage undercounts this interval', { observations: observations.length, err }));
    return this.sending;
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    return this.flush();
  }
}
