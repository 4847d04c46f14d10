import { type TrafficRecord, pairSchema } from '@penumbra/contracts';
import { type BatchHandler, type ProducerPort, encodeEvent } from '@penumbra/kafka';
import { type MirrorEngine } from './mirror-engine';

/**
 * Replays a batch of captured records concurrently (within each experiment's caps) and makes all
 * the resulting pairs durable in one send before the batch is committed.
 */
export function trafficHandler(engine: MirrorEngine, producer: ProducerPort, pairsTopic: string): BatchHandler<TrafficRecord> {
  return async (records) => {
    const outcomes = await Promise.all(records.map((r) => engine.process(r.value)));
    const messages = outcomes.flat().flatMap((o) => (o.kind === 'pair' ? [encodeEvent(pairSchema, o.pair, pairsTopic, o.pair.id)] : []));
    await producer.send(messages);
  };
}
