import { type RedisClient } from '@penumbra/redis';
import { type WindowKeys, windowIndexKey } from './window-ops';

/**
 * The window index: one sorted set per experiment whose members name a slice's window,
 * `<slice>|<window start>`, scored by the start. This file alone writes and reads that format.
 */
export function indexMember(sliceKey: string, start: number): string {
  return `${sliceKey}|${start}`;
}

export function parseIndexMember(member: string): { sliceKey: string; start: number } {
  const bar = member.lastIndexOf('|');
  return { sliceKey: member.slice(0, bar), start: Number(member.slice(bar + 1)) };
}

/** The starts of a slice's windows whose start lies in [from, to], oldest first. */
export async function windowStartsBetween(redis: RedisClient, k: WindowKeys, experimentId: string, sliceKey: string, from: number, to: number): Promise<number[]> {
  const members = await redis.zrangebyscore(windowIndexKey(k, experimentId), from, to);
  return members.map(parseIndexMember).flatMap((m) => (m.sliceKey === sliceKey ? [m.start] : []));
}

/** The starts of a slice's newest windows, at most `max`, oldest first; `scan` bounds the index members read. */
export async function newestWindowStarts(redis: RedisClient, k: WindowKeys, experimentId: string, sliceKey: string, max: number, scan = max * 4): Promise<number[]> {
  const members = await redis.zrevrangebyscore(windowIndexKey(k, experimentId), '+inf', '-inf', 'LIMIT', 0, scan);
  const starts = members.map(parseIndexMember).flatMap((m) => (m.sliceKey === sliceKey ? [m.start] : []));
  return starts.slice(0, max).reverse();
}

/**
 * The slices with a window starting at or after `since` (all of them by default), found from the
 * newest windows on, at most `max`; `scan` bounds the index members read (unbounded by default).
 */
export async function slicesWithWindows(redis: RedisClient, k: WindowKeys, experimentId: string, options: { since?: number; max?: number; scan?: number } = {}): Promise<string[]> {
  const key = windowIndexKey(k, experimentId);
  const since = options.since ?? '-inf';
  const members = options.scan === undefined ? await redis.zrevrangebyscore(key, '+inf', since) : await redis.zrevrangebyscore(key, '+inf', since, 'LIMIT', 0, options.scan);
  const slices = new Set<string>();
  for (const m of members) {
    if (slices.size >= (options.max ?? Number.MAX_SAFE_INTEGER)) break;
    slices.add(parseIndexMember(m).sliceKey);
  }
  return [...slices];
}
