/** A partition this consumer holds, the next offset past its last finished chunk, and when that chunk was done. */
export interface HeldPartition {
  topic: string;
  partition: number;
  end: string;
  at: number;
}

/**
 * The partitions a consumer has records from, so that one which stops receiving batches still gets
 * a chance to release what its handler holds and to move its commit.
 */
export class IdlePartitions {
  private readonly parts = new Map<string, HeldPartition>();

  done(topic: string, partition: number, end: string, at: number): void {
    this.parts.set(`${topic}:${partition}`, { topic, partition, end, at });
  }

  /** After a rebalance: forget the partitions this member no longer holds. */
  retain(assigned: Record<string, number[]>): void {
    for (const [key, p] of this.parts) if (!(assigned[p.topic] ?? []).includes(p.partition)) this.parts.delete(key);
  }

  /** Those with no finished chunk (nor idle tick) for at least `idleMs`; each is marked as ticked now. */
  takeIdle(now: number, idleMs: number): HeldPartition[] {
    const idle = [...this.parts.values()].filter((p) => now - p.at >= idleMs);
    for (const p of idle) p.at = now;
    return idle;
  }
}

/** Runs one task at a time, in the order asked: idle ticks never overlap a batch. */
export class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
