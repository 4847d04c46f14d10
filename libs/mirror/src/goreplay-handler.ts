import { type GoReplayMessage, trafficRecordSchema } from '@penumbra/contracts';
import { type BatchHandler, type IncomingRecord, type OutgoingMessage, type ProducerPort, deadLetterFor, deadLetterMessage, encodeEvent } from '@penumbra/kafka';
import { type GoReplayJoiner, type JoinEvent, type SourceCoord } from '@penumbra/mirror-core';
import { type MirrorMetrics } from './mirror-metrics';

export interface GoReplayHandlerDeps {
  joiner: GoReplayJoiner;
  producer: ProducerPort;
  trafficTopic: string;
  deadLetterTopic: string;
  consumerGroup: string;
  metrics: MirrorMetrics;
  clock?: () => number;
}

/**
 * Joins GoReplay requests and responses into traffic records. What waits for its other half is
 * held back from the commit, so a crash replays it instead of losing it.
 */
export function goReplayHandler(deps: GoReplayHandlerDeps): BatchHandler<GoReplayMessage> {
  const clock = deps.clock ?? Date.now;
  const sources = new Map<string, IncomingRecord>();
  const keyOf = (c: SourceCoord) => `${c.partition}:${c.offset}`;
  return async (records, context) => {
    const now = clock();
    const events: JoinEvent[] = [];
    for (const r of records) {
      const coord = { partition: r.partition, offset: r.offset };
      sources.set(keyOf(coord), r.source);
      events.push(...deps.joiner.add(r.value, coord, now));
    }
    events.push(...deps.joiner.expire(now));
    const messages: OutgoingMessage[] = [];
    for (const event of events) {
      if (event.kind === 'joined') {
        messages.push(encodeEvent(trafficRecordSchema, event.record, deps.trafficTopic, event.record.id));
        event.coords.forEach((c) => sources.delete(keyOf(c)));
        deps.metrics.goreplay.inc({ outcome: 'joined' });
      } else {
        const source = sources.get(keyOf(event.coord));
        sources.delete(keyOf(event.coord));
        deps.metrics.goreplay.inc({ outcome: 'rejected' });
        if (source) messages.push(deadLetterMessage(deps.deadLetterTopic, deadLetterFor(source, deps.consumerGroup, 'handler', event.reason, now)));
      }
    }
    await deps.producer.send(messages);
    const held = deps.joiner.lowestPendingOffset(context.partition);
    return held === undefined ? {} : { commitBefore: held.toString() };
  };
}
