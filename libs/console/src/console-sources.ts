import { type MergedAggregate, type WindowKeys, newestWindowStarts, readAggregate, slicesWithWindows } from '@penumbra/aggregates';
import { type ExperimentRecord, type TopicKey } from '@penumbra/contracts';
import { type TransactionalKafka } from '@penumbra/kafka';
import { type RedisClient } from '@penumbra/redis';

/** What the console reads: the same topics and Redis read model as the CLI; it keeps nothing of its own. */
export interface ConsoleSources {
  redis: RedisClient;
  windows: WindowKeys;
  keyPrefix: string;
  log: TransactionalKafka;
  topics: Record<TopicKey, string>;
  experiments(): ExperimentRecord[];
  experiment(id: string): ExperimentRecord | undefined;
}

const MAX_WINDOWS = 2_000;

/** The starts of an experiment's windows of one slice, oldest first, at most the newest MAX_WINDOWS. */
export function windowStarts(src: ConsoleSources, id: string, slice = '*'): Promise<number[]> {
  return newestWindowStarts(src.redis, src.windows, id, slice, MAX_WINDOWS);
}

/** The slice keys an experiment's windows hold, at most `max`. */
export async function sliceKeys(src: ConsoleSources, id: string, max = 50): Promise<string[]> {
  return (await slicesWithWindows(src.redis, src.windows, id, { max, scan: 5_000 })).sort();
}

export function readWindow(src: ConsoleSources, id: string, start: number, slice = '*'): Promise<MergedAggregate> {
  return readAggregate(src.redis, src.windows, id, slice, start, start + src.windows.windowMs);
}

export function readAll(src: ConsoleSources, id: string, slice = '*'): Promise<MergedAggregate> {
  return readAggregate(src.redis, src.windows, id, slice, 0, Number.MAX_SAFE_INTEGER);
}

export const rate = (match: number, pairs: number): number | null => (pairs === 0 ? null : match / pairs);
