import { type GoReplayMessage, alertSchema, trafficRecordSchema } from '@penumbra/contracts';
import { isRetriable } from '@penumbra/errors';
import { type BatchHandler, type DeadLetterWriter, type IncomingRecord, type OutgoingMessage, type ProducerPort, type Rejection, encodeEvent } from '@penumbra/kafka';
import { type GoReplayJoiner, type JoinEvent, type SourceCoord } from '@penumbra/mirror-core';
import { type MirrorMetrics } from './mirror-metrics';

export interface GoReplayHandlerDeps {
  joiner: GoReplayJoiner;
  producer: ProducerPort;
  trafficTopic: string;
  /** The service's dead-letter writer: bounded letters, counted, and dlq-spike alerts. */
  letters: Pick<DeadLetterWriter, 'write'>;
  consumerGroup: string;
  metrics: MirrorMetrics;
  /** Where evictions from the join buffer are alerted, at most once per `alertIntervalMs`. */
  alertTopic?: string;
  alertIntervalMs?: number;
  clock?: () => number;
}

/**
 * Joins GoReplay requests and responses into traffic records. What waits for its other half is
 * held back from the commit, so a crash replays it instead of losing it. Called with no records
 * (an idle tick), it releases what expired and lets the commit advance.
 */
export function goReplayHandler(deps: GoReplayHandlerDeps): BatchHandler<GoReplayMessage> {
  const clock = deps.clock ?? Date.now;
  const sources = new Map<string, IncomingRecord>();
  const keyOf = (c: SourceCoord) => `${c.partition}:${c.offset}`;
  const evictions = new EvictionAlerts(deps);
  // What a send that failed for a while took out of the joiner: sent first by the next call (the retry).
  let unsent: { messages: OutgoingMessage[]; letters: Rejection[] } = { messages: [], letters: [] };
  return async (records, context) => {
    const now = clock();
    const events: JoinEvent[] = [];
    for (const r of records) {
      const coord = { partition: r.partition, offset: r.offset };
      sources.set(keyOf(coord), r.source);
      events.push(...deps.joiner.add(r.value, coord, now, (r.source.value?.length ?? 0) + (r.source.key?.length ?? 0)));
    }
    events.push(...deps.joiner.expire(now));
    const { messages, letters } = unsent;
    unsent = { messages: [], letters: [] };
    for (const event of events) {
      if (event.kind === 'joined') {
        messages.push(encodeEvent(trafficRecordSchema, event.record, deps.trafficTopic, event.record.id));
        event.coords.forEach((c) => sources.delete(keyOf(c)));
        deps.metrics.goreplay.inc({ outcome: 'joined' });
      } else {
        const source = sources.get(keyOf(event.coord));
        sources.delete(keyOf(event.coord));
        deps.metrics.goreplay.inc({ outcome: event.cause });
        if (event.cause === 'evicted') evictions.count(event.reason);
        if (source) letters.push({ record: source, errorClass: 'handler', reason: event.reason });
      }
    }
    messages.push(...evictions.take(now));
    deps.metrics.goreplayPending.set(deps.joiner.size);
    deps.metrics.goreplayPendingBytes.set(deps.joiner.pendingBytes);
    try {
      await deps.letters.write(letters);
      letters.length = 0;
      await deps.producer.send(messages);
    } catch (err) {
      if (isRetriable(err)) unsent = { messages, letters };
      throw err;
    }
    const held = deps.joiner.lowestPendingOffset(context.partition);
    return held === undefined ? {} : { commitBefore: held.toString() };
  };
}

/** Evictions collapsed into one alert per interval, so a flood raises one alert, not thousands. */
class EvictionAlerts {
  private pending = 0;
  private lastReason = '';
  private lastAlertAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: GoReplayHandlerDeps) {}

  count(reason: string): void {
    this.pending += 1;
    this.lastReason = reason;
  }

  take(now: number): OutgoingMessage[] {
    const interval = this.deps.alertIntervalMs ?? 60_000;
    if (!this.deps.alertTopic || this.pending === 0 || now - this.lastAlertAt < interval) return [];
    const alert = {
      type: 'alert.v1' as const,
      id: `goreplay-evictions:${this.deps.consumerGroup}:${now}`.slice(0, 512),
      ts: now,
      severity: 'warning' as const,
      kind: 'evictions' as const,
      source: 'traffic-mirror',
      message: `${this.pending} GoReplay half(s) evicted from the join buffer unmatched and dead-lettered; last: ${this.lastReason}`.slice(0, 4000),
      details: { evicted: this.pending, consumerGroup: this.deps.consumerGroup },
    };
    this.pending = 0;
    this.lastAlertAt = now;
    return [encodeEvent(alertSchema, alert, this.deps.alertTopic, null)];
  }
}
