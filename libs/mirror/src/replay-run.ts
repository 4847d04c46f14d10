import { type TrafficRecord, trafficRecordSchema } from '@penumbra/contracts';
import { type AdminPort, type BatchHandler, BatchConsumer, type KafkaClient, type ProducerPort } from '@penumbra/kafka';
import { type ReplayPace, ReplayPacer, type ReplayWindow } from '@penumbra/mirror-core';
import { type Logger } from '@penumbra/observability';
import { type MirrorEngine } from './mirror-engine';
import { trafficHandler } from './traffic-handler';

/** One partition's share of the retained traffic: offsets [start, end). */
export interface ReplayRange {
  partition: number;
  start: bigint;
  end: bigint;
}

export interface ReplayProgress {
  /** Records read of the window (replayed or skipped by the mirror's rules). */
  done: number;
  total: number;
}

/** The offsets of the records captured in the window, found by timestamp. */
export async function planReplay(admin: AdminPort, topic: string, window: ReplayWindow): Promise<ReplayRange[]> {
  const [starts, ends] = await Promise.all([admin.offsetsAtTime(topic, window.from), admin.offsetsAtTime(topic, window.to)]);
  return starts
    .map((s) => {
      const start = BigInt(s.offset);
      const end = BigInt(ends.find((e) => e.partition === s.partition)?.offset ?? s.offset);
      return { partition: s.partition, start, end: end < start ? start : end };
    })
    .sort((a, b) => a.partition - b.partition);
}

export function replayTotal(ranges: ReplayRange[]): number {
  return ranges.reduce((n, r) => n + Number(r.end - r.start), 0);
}

export interface ReplayRunOptions {
  client: KafkaClient;
  admin: AdminPort;
  trafficTopic: string;
  pairsTopic: string;
  deadLetterTopic: string;
  /** The replay's own group: it never moves the live mirror's offsets. */
  groupId: string;
  ranges: ReplayRange[];
  window: ReplayWindow;
  pace: ReplayPace;
  engine: MirrorEngine;
  producer: ProducerPort;
  logger: Logger;
  onProgress?: (progress: ReplayProgress) => void;
  /** How often the group's progress is read. @default 500 */
  pollMs?: number;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Paces records through the live handler: each record waits until its due time, and the records
 * due together go as one batch. Records past the window's end are committed without a replay.
 */
export function pacedReplayHandler(
  inner: BatchHandler<TrafficRecord>,
  ranges: ReplayRange[],
  pacer: ReplayPacer,
  clock: () => number,
  sleep: (ms: number) => Promise<void>,
): BatchHandler<TrafficRecord> {
  const endOf = new Map(ranges.map((r) => [r.partition, r.end]));
  return async (records, context) => {
    const end = endOf.get(context.partition) ?? 0n;
    const inWindow = records.filter((r) => BigInt(r.offset) < end);
    const rejected: Array<{ offset: string; reason: string }> = [];
    let i = 0;
    while (i < inWindow.length && !context.signal.aborted) {
      const chunk = [];
      let due = pacer.next((inWindow[i] as (typeof inWindow)[number]).value.ts);
      while (due > clock()) {
        await sleep(Math.min(250, due - clock()));
        await context.heartbeat?.().catch(() => undefined);
      }
      do {
        chunk.push(inWindow[i++] as (typeof inWindow)[number]);
        due = i < inWindow.length ? pacer.next((inWindow[i] as (typeof inWindow)[number]).value.ts) : Infinity;
      } while (i < inWindow.length && due <= clock());
      if (due !== Infinity) pacer.unread();
      const outcome = await inner(chunk, context);
      if (outcome?.rejected) rejected.push(...outcome.rejected);
    }
    return rejected.length > 0 ? { rejected } : undefined;
  };
}

async function progressOf(admin: AdminPort, groupId: string, topic: string, ranges: ReplayRange[]): Promise<ReplayProgress> {
  const committed = await admin.groupOffsets(groupId, topic);
  let done = 0;
  for (const r of ranges) {
    const at = committed.find((c) => c.partition === r.partition)?.offset;
    const offset = at === undefined || at === '-1' ? r.start : BigInt(at);
    done += Number((offset > r.end ? r.end : offset) - r.start);
  }
  return { done, total: replayTotal(ranges) };
}

/**
 * Replays the retained traffic of a window through the mirror's engine under the replay's own
 * consumer group: the group starts at the window's first offsets, and the run ends once every
 * partition's commit reached the window's end.
 */
export async function runReplay(o: ReplayRunOptions): Promise<ReplayProgress> {
  const clock = o.clock ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const total = replayTotal(o.ranges);
  if (total === 0) return { done: 0, total };
  await o.admin.setGroupOffsets(
    o.groupId,
    o.trafficTopic,
    o.ranges.map((r) => ({ partition: r.partition, offset: String(r.start) })),
  );
  const pacer = new ReplayPacer(o.pace, clock(), o.window.from);
  const consumer = new BatchConsumer({
    client: o.client,
    groupId: o.groupId,
    topics: [{ topic: o.trafficTopic, schema: trafficRecordSchema }],
    handler: pacedReplayHandler(trafficHandler(o.engine, o.producer, o.pairsTopic), o.ranges, pacer, clock, sleep),
    deadLetterTopic: o.deadLetterTopic,
    deadLetters: o.producer,
    logger: o.logger,
  });
  await consumer.start();
  try {
    for (;;) {
      const progress = await progressOf(o.admin, o.groupId, o.trafficTopic, o.ranges);
      o.onProgress?.(progress);
      if (progress.done >= total) return progress;
      await sleep(o.pollMs ?? 500);
    }
  } finally {
    await consumer.stop();
  }
}
