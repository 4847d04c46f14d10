import { createHash } from 'node:crypto';
import { GLOBAL_AUDIT_STREAM, experimentId as experimentIdSchema } from '@penumbra/contracts';

/** The source coordinates: a redelivered record yields the same key, so compaction collapses it into one. */
export function auditKey(topic: string, partition: number, offset: string): string {
  return `${topic}:${partition}:${offset}`;
}

/** Every record of one experiment goes to one partition, chosen by a stable hash of its id. */
export function auditPartition(experimentId: string, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) throw new RangeError(`partition count must be a positive integer, got ${partitionCount}`);
  return createHash('sha256').update(experimentId, 'utf8').digest().readUInt32BE(0) % partitionCount;
}

/** The chain an event belongs to: its experiment when it names a valid one, else the global stream. */
export function streamOf(candidate: unknown): string {
  return experimentIdSchema.safeParse(candidate).success ? (candidate as string) : GLOBAL_AUDIT_STREAM;
}
