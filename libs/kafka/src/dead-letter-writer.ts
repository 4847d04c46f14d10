import { type DeadLetter, type DeadLetterErrorClass, alertSchema } from '@penumbra/contracts';
import { type CredentialPolicy, credentialPolicy } from '@penumbra/credentials';
import { type RetryOptions, describeError, isRetriable, retry } from '@penumbra/errors';
import { type Logger, type PipelineMetrics } from '@penumbra/observability';
import { deadLetterFor, deadLetterMessage, minimalDeadLetter } from './dead-letters';
import { DlqSpikeDetector, type DlqSpikeOptions } from './dlq-spike';
import { type IncomingRecord, type OutgoingMessage, type ProducerPort } from './ports';

export interface Rejection {
  record: IncomingRecord;
  errorClass: DeadLetterErrorClass;
  reason: string;
}

export interface DeadLetterWriterOptions {
  topic: string;
  producer: ProducerPort;
  groupId: string;
  logger: Logger;
  metrics?: PipelineMetrics | undefined;
  retry: RetryOptions;
  signal?: AbortSignal | undefined;
  clock?: (() => number) | undefined;
  maxValueBytes?: number | undefined;
  /** Where to raise an alert when a letter had to fall back to its minimal form or was lost. */
  alertTopic?: string | undefined;
  /** How credentials are hashed in letters. @default the default policy, with a random key */
  credentials?: CredentialPolicy | undefined;
  /** Raise a dlq-spike alert (on alertTopic) when dead letters of one topic pile up. */
  spike?: DlqSpikeOptions | undefined;
}

export type LetterOutcome = 'full' | 'minimal' | 'lost';

/**
 * Writes dead letters so that writing them never blocks the commit: a letter the broker refuses
 * falls back to its minimal form (coordinates, reason, size, digest), and one refused even then is
 * logged and counted as lost. Only a broker that stays unavailable makes the batch come again.
 */
export class DeadLetterWriter {
  private readonly credentials: CredentialPolicy;
  private readonly spikes: DlqSpikeDetector | undefined;

  constructor(private readonly o: DeadLetterWriterOptions) {
    this.credentials = o.credentials ?? credentialPolicy();
    this.spikes = o.spike && o.alertTopic ? new DlqSpikeDetector(o.spike, o.groupId) : undefined;
  }

  async write(rejections: Rejection[]): Promise<LetterOutcome[]> {
    if (rejections.length === 0) return [];
    const o = this.o;
    const now = (o.clock ?? Date.now)();
    const letters = rejections.map((r) => this.fullLetter(r, now));
    let outcomes: LetterOutcome[];
    try {
      await this.send(letters.map((l) => deadLetterMessage(o.topic, l)));
      outcomes = letters.map((l) => (l.minimal ? 'minimal' : 'full'));
    } catch (err) {
      if (isRetriable(err)) throw err;
      o.logger.error('dead letters refused by the broker; writing them one by one, minimal where needed', { topic: o.topic, count: letters.length, err });
      outcomes = [];
      for (const [i, r] of rejections.entries()) outcomes.push(await this.writeOne(r, letters[i], now));
    }
    for (const [i, r] of rejections.entries()) {
      o.metrics?.deadLettered.inc({ topic: r.record.topic, error_class: r.errorClass });
      o.logger.warn('record dead-lettered', {
        topic: r.record.topic,
        partition: r.record.partition,
        offset: r.record.offset,
        errorClass: r.errorClass,
        reason: this.credentials.text(r.reason.slice(0, 500)),
        letter: outcomes[i],
      });
    }
    const degraded = rejections.filter((_, i) => outcomes[i] !== 'full');
    if (degraded.length > 0) await this.alert(degraded, outcomes, now);
    await this.spikeAlerts(rejections, now);
    return outcomes;
  }

  private fullLetter(r: Rejection, now: number): DeadLetter {
    try {
      return deadLetterFor(r.record, this.o.groupId, r.errorClass, r.reason, now, { maxValueBytes: this.o.maxValueBytes, credentials: this.credentials });
    } catch (err) {
      this.o.logger.error('could not build a full dead letter; writing a minimal one', { offset: r.record.offset, err });
      return minimalDeadLetter(r.record, this.o.groupId, r.errorClass, r.reason, now, this.credentials);
    }
  }

  private async writeOne(r: Rejection, letter: DeadLetter | undefined, now: number): Promise<LetterOutcome> {
    const o = this.o;
    if (letter && !letter.minimal) {
      try {
        await this.send([deadLetterMessage(o.topic, letter)]);
        return 'full';
      } catch (err) {
        if (isRetriable(err)) throw err;
        o.logger.warn('full dead letter refused; falling back to a minimal one', { offset: r.record.offset, err });
      }
    }
    try {
      await this.send([deadLetterMessage(o.topic, minimalDeadLetter(r.record, o.groupId, r.errorClass, r.reason, now, this.credentials))]);
      o.metrics?.deadLetterFallbacks.inc({ topic: r.record.topic, outcome: 'minimal' });
      return 'minimal';
    } catch (err) {
      if (isRetriable(err)) throw err;
      o.metrics?.deadLetterFallbacks.inc({ topic: r.record.topic, outcome: 'lost' });
      o.logger.error('dead letter lost: even the minimal letter was refused', {
        topic: r.record.topic,
        partition: r.record.partition,
        offset: r.record.offset,
        reason: this.credentials.text(r.reason.slice(0, 500)),
        err,
      });
      return 'lost';
    }
  }

  private send(messages: OutgoingMessage[]): Promise<void> {
    return retry(() => this.o.producer.send(messages), { ...this.o.retry, signal: this.o.signal });
  }

  private async spikeAlerts(rejections: Rejection[], now: number): Promise<void> {
    const alerts = this.spikes?.record(
      rejections.map((r) => r.record.topic),
      now,
    );
    if (!alerts?.length || !this.o.alertTopic) return;
    try {
      await this.o.producer.send(alerts.map((a) => ({ topic: this.o.alertTopic ?? '', key: a.id, value: JSON.stringify(alertSchema.parse(a)) })));
    } catch (err) {
      this.o.logger.error('could not raise the dlq-spike alert', { err: describeError(err) });
    }
  }

  /** One alert per batch that degraded; never retried past the producer's own retries, never blocking. */
  private async alert(degraded: Rejection[], outcomes: LetterOutcome[], now: number): Promise<void> {
    const o = this.o;
    const first = degraded[0]?.record;
    if (!o.alertTopic || !first) return;
    const lost = outcomes.filter((x) => x === 'lost').length;
    try {
      const alert = alertSchema.parse({
        type: 'alert.v1',
        id: `dead-letter-fallback:${o.groupId}:${first.topic}:${first.partition}:${first.offset}`.slice(0, 512),
        ts: now,
        severity: lost > 0 ? 'critical' : 'warning',
        kind: 'dead-letter-fallback',
        source: o.groupId.slice(0, 200),
        message: `${degraded.length} dead letter(s) from ${first.topic} could not be written in full (${lost} lost); the original bytes are not kept for them`,
        details: { topic: first.topic, partition: first.partition, offsets: degraded.slice(0, 20).map((d) => d.record.offset), lost },
      });
      await o.producer.send([{ topic: o.alertTopic, key: alert.id, value: JSON.stringify(alert) }]);
    } catch (err) {
      o.logger.error('could not raise the dead-letter fallback alert', { err: describeError(err) });
    }
  }
}
