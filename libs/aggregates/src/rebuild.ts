import { randomUUID } from 'node:crypto';
import { type DiffEvent, type MetricObservation, diffEventSchema, metricObservationSchema } from '@penumbra/contracts';
import { PenumbraError } from '@penumbra/errors';
import { type ConsumerPort, type KafkaClient, decodeRecord } from '@penumbra/kafka';
import { LuaScript, type RedisClient } from '@penumbra/redis';
import { WIPE_SCRIPT } from './rebuild-script';
import { SliceAdmission } from './slice-admission';
import { type EventOps, diffEventOps, generationKey, metricOps, windowIndexKey } from './window-ops';
import { type WindowStore } from './window-store';

export interface RebuildProgress {
  experimentId: string;
  generation: number;
  /** Records read back so far, of `total` retained records up to the cut. */
  replayed: number;
  total: number;
  /** Events of this experiment applied again. */
  applied: number;
}

export interface RebuildResult extends RebuildProgress {
  /** Partitions whose oldest records were already deleted by the topic's retention. */
  truncated: Array<{ topic: string; partition: number; earliest: string }>;
}

export interface RebuildRequest {
  redis: RedisClient;
  kafka: KafkaClient;
  store: WindowStore;
  topics: { diffs: string; metrics: string };
  experimentId: string;
  histogramAlpha: number;
  /**
   * The aggregator's slice cap. A slice the live aggregators admitted is in the experiment's slice
   * set and keeps its own windows; a new one is admitted only while the set has room, as live.
   * 0 (the default) admits none.
   */
  maxSlicesPerExperiment?: number;
  onProgress?: (p: RebuildProgress) => void;
  /** Fails when no record arrives for this long. */
  idleTimeoutMs?: number;
}

interface PartitionTarget {
  topic: string;
  partition: number;
  low: bigint;
  cutoff: bigint;
  read: bigint;
}

// Touches KEYS[1] only (an extra empty argument to DEL would name a key on another cluster slot).
const RELEASE_LOCK = new LuaScript(`if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == 'DEL' then return redis.call('DEL', KEYS[1]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[3])`);
const WIPE = new LuaScript(WIPE_SCRIPT);
const LOCK_MS = 30_000;

/**
 * Rebuilds one experiment's windows from the retained diffs and metrics while the aggregators keep
 * running: the wipe script cuts every partition at the live group's applied offset, this replays
 * what lies at or below the cut, and the live consumers go on applying what lies above it.
 */
export async function rebuildExperiment(req: RebuildRequest): Promise<RebuildResult> {
  const { redis, store, experimentId } = req;
  const keys = store.options;
  const group = await store.markedGroup();
  if (group === null) {
    throw new PenumbraError(
      'there is no aggregator state in Redis to rebuild into: start the aggregator, which rebuilds every experiment from the retained topics when it finds none',
      { code: 'AGG_NO_STATE', retriable: false, context: { experimentId } },
    );
  }
  const lockKey = `${keys.prefix}agg:{${experimentId}}:rebuild-lock`;
  const token = randomUUID();
  if ((await redis.set(lockKey, token, 'PX', LOCK_MS, 'NX')) === null) {
    throw new PenumbraError(`a rebuild of ${experimentId} is already running: wait for it to finish (its lock expires 30 s after it stops)`, {
      code: 'AGG_REBUILD_RUNNING',
      retriable: true,
      context: { experimentId },
    });
  }
  const refresh = setInterval(() => void RELEASE_LOCK.run(redis, [lockKey], [token, 'PEXPIRE', String(LOCK_MS)]).catch(() => undefined), LOCK_MS / 3);
  const progressKeys = new Set<string>();
  try {
    const targets = await partitionsOf(req);
    const wiped = (await WIPE.run(
      redis,
      [
        windowIndexKey(keys, experimentId),
        generationKey(keys, experimentId),
        ...targets.map((t) => store.experimentOffsetKey(store.offsetKey(group, t.topic, t.partition), experimentId)),
      ],
      [`${keys.prefix}agg:{${experimentId}}:`],
    )) as Array<number | string>;
    const generation = Number(wiped[0]);
    targets.forEach((t, i) => (t.cutoff = BigInt(wiped[i + 1] ?? '-1')));
    const progress: RebuildProgress = { experimentId, generation, replayed: 0, applied: 0, total: targets.reduce((n, t) => n + Math.max(0, Number(t.cutoff - t.low + 1n)), 0) };
    const truncated = targets.filter((t) => t.low > 0n && t.cutoff >= 0n).map((t) => ({ topic: t.topic, partition: t.partition, earliest: String(t.low) }));
    req.onProgress?.({ ...progress });
    if (progress.total > 0) {
      const consumer = req.kafka.consumer({ groupId: `${group}.rebuild.${experimentId}.${generation}`, partitionsConsumedConcurrently: 2 });
      try {
        await replay(req, consumer, targets, progress, (topic, partition) => {
          const key = `${keys.prefix}agg:rebuild:${experimentId}:${generation}:${topic}:${partition}`;
          progressKeys.add(store.experimentOffsetKey(key, experimentId));
          return key;
        });
      } finally {
        await consumer.disconnect();
      }
    }
    return { ...progress, truncated };
  } finally {
    clearInterval(refresh);
    if (progressKeys.size > 0) await redis.del(...progressKeys);
    await RELEASE_LOCK.run(redis, [lockKey], [token, 'DEL', '']);
  }
}

async function partitionsOf(req: RebuildRequest): Promise<PartitionTarget[]> {
  const admin = await req.kafka.admin();
  try {
    const targets: PartitionTarget[] = [];
    for (const topic of [req.topics.diffs, req.topics.metrics]) {
      for (const p of await admin.topicOffsets(topic)) targets.push({ topic, partition: p.partition, low: BigInt(p.low), cutoff: -1n, read: BigInt(p.low) - 1n });
    }
    return targets;
  } finally {
    await admin.disconnect();
  }
}

function replay(
  req: RebuildRequest,
  consumer: ConsumerPort,
  targets: PartitionTarget[],
  progress: RebuildProgress,
  progressKey: (topic: string, partition: number) => string,
): Promise<void> {
  const { store, experimentId } = req;
  const keys = store.options;
  const slices = new SliceAdmission(req.redis, keys, req.maxSlicesPerExperiment ?? 0);
  const byPartition = new Map(targets.map((t) => [`${t.topic}:${t.partition}`, t]));
  const pending = () => targets.some((t) => t.read < t.cutoff);
  return new Promise<void>((resolve, reject) => {
    let lastRead = Date.now();
    const idleMs = req.idleTimeoutMs ?? 60_000;
    const watchdog = setInterval(() => {
      if (Date.now() - lastRead < idleMs) return;
      clearInterval(watchdog);
      reject(
        new PenumbraError(`the rebuild of ${experimentId} read nothing for ${idleMs} ms: check that Kafka is reachable and run it again (it starts over safely)`, {
          code: 'AGG_REBUILD_STALLED',
          retriable: true,
          context: { experimentId, replayed: progress.replayed, total: progress.total },
        }),
      );
    }, 1_000);
    const finish = () => {
      clearInterval(watchdog);
      resolve();
    };
    consumer.onCrash((err, willRestart) => {
      if (willRestart) return;
      clearInterval(watchdog);
      reject(err);
    });
    const run = async () => {
      await consumer.subscribe([req.topics.diffs, req.topics.metrics], { fromBeginning: true });
      await consumer.run(async (batch, control) => {
        const target = byPartition.get(`${batch.topic}:${batch.partition}`);
        const lastOffset = batch.records.at(-1)?.offset;
        if (lastOffset !== undefined) control.resolveOffset(lastOffset);
        if (target === undefined || target.read >= target.cutoff) return;
        const events: Array<{ event: DiffEvent | MetricObservation; offset: string }> = [];
        let read = target.read;
        for (const r of batch.records) {
          const offset = BigInt(r.offset);
          if (offset > target.cutoff) break;
          if (offset <= target.read) continue;
          read = offset;
          const event = decodeEvent(batch.topic === req.topics.diffs, r.value);
          if (event === undefined || event.experimentId !== experimentId) continue;
          events.push({ event, offset: r.offset });
        }
        const capped = (await slices.apply(events.map((e) => e.event))).events;
        const ops: EventOps[] = capped.map((event, i) => {
          const offset = events[i]?.offset ?? '';
          return event.type === 'diff.v1' ? diffEventOps(event, offset, keys, req.histogramAlpha) : metricOps(event, offset, keys);
        });
        progress.applied += await store.apply(progressKey(batch.topic, batch.partition), ops);
        if (read === target.read) return;
        lastRead = Date.now();
        progress.replayed += Number(read - target.read);
        target.read = read;
        req.onProgress?.({ ...progress });
        if (!pending()) finish();
      });
    };
    run().catch((err: unknown) => {
      clearInterval(watchdog);
      reject(err instanceof Error ? err : new PenumbraError(`rebuild failed: ${String(err)}`, { code: 'REBUILD_FAILED', retriable: false, cause: err }));
    });
  });
}

/** Records that fail to decode were dead-lettered by the live aggregator; the rebuild skips them too. */
function decodeEvent(isDiff: boolean, value: Buffer | null): DiffEvent | MetricObservation | undefined {
  const decoded = isDiff ? decodeRecord(value, diffEventSchema) : decodeRecord(value, metricObservationSchema);
  return decoded.ok ? decoded.value : undefined;
}
