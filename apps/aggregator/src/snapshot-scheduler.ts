import { aggregateSnapshotSchema, type SliceValues } from '@penumbra/contracts';
import { type WindowKeys, readAggregate, toSnapshot } from '@penumbra/aggregates';
import { type ProducerPort, encodeEvent } from '@penumbra/kafka';
import { type RedisClient } from '@penumbra/redis';

interface Active {
  experimentId: string;
  sliceKey: string;
  slice: SliceValues;
  start: number;
  dirty: boolean;
}

/** The most windows tracked for snapshots; older ones are published closed and forgotten first. */
const MAX_ACTIVE = 10_000;

/**
 * Publishes a snapshot per experiment, slice and window: a partial one on each tick while events
 * arrive, and a closed one once the window has ended.
 */
export class SnapshotScheduler {
  private readonly active = new Map<string, Active>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: WindowKeys,
    private readonly producer: ProducerPort,
    private readonly topic: string,
  ) {}

  touch(experimentId: string, sliceKey: string, slice: SliceValues, start: number): void {
    const id = `${experimentId}|${sliceKey}|${start}`;
    const a = this.active.get(id);
    if (a) a.dirty = true;
    else if (this.active.size < MAX_ACTIVE) this.active.set(id, { experimentId, sliceKey, slice, start, dirty: true });
  }

  async tick(now: number): Promise<number> {
    const messages = [];
    for (const [id, a] of this.active) {
      const end = a.start + this.keys.windowMs;
      const closed = now >= end;
      if (!a.dirty && !closed) continue;
      const merged = await readAggregate(this.redis, this.keys, a.experimentId, a.sliceKey, a.start, end);
      const snapshot = toSnapshot(merged, a.slice, { start: a.start, end, closed }, now);
      messages.push(encodeEvent(aggregateSnapshotSchema, snapshot, this.topic, a.experimentId));
      a.dirty = false;
      if (closed) this.active.delete(id);
    }
    await this.producer.send(messages);
    return messages.length;
  }
}
