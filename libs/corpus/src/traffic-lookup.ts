import { type AggregateSnapshot, type TrafficRecord, aggregateSnapshotSchema, trafficRecordSchema } from '@penumbra/contracts';
import { type AdminPort, type TransactionalKafka } from '@penumbra/kafka';

export interface TopicWindowRead {
  admin: AdminPort;
  kafka: TransactionalKafka;
  topic: string;
  /** The most records read, spread over the partitions. */
  maxScan: number;
}

/**
 * Every JSON value written to the topic in [from, to) (found by the records' timestamps), reading
 * at most `maxScan` records: past that bound, the latest of each partition. Values that are not
 * JSON are skipped, and so, with `keyed`, are records under any other key.
 */
export async function readTopicWindow(o: TopicWindowRead, window: { from: number; to: number }, onValue: (value: unknown) => void, keyed?: string): Promise<void> {
  const [starts, ends] = await Promise.all([o.admin.offsetsAtTime(o.topic, window.from), o.admin.offsetsAtTime(o.topic, window.to)]);
  const perPartition = BigInt(Math.max(1, Math.floor(o.maxScan / Math.max(1, starts.length))));
  const from: Record<number, string> = {};
  const to: Record<number, string> = {};
  for (const s of starts) {
    const start = BigInt(s.offset);
    const end = BigInt(ends.find((e) => e.partition === s.partition)?.offset ?? s.offset);
    if (end <= start) continue;
    from[s.partition] = String(end - start > perPartition ? end - perPartition : start);
    to[s.partition] = String(end);
  }
  const partitions = Object.keys(from).map(Number);
  if (partitions.length === 0) return;
  await o.kafka.readToEnd({
    topic: o.topic,
    partitions,
    from,
    to,
    onRecords: (records) => {
      for (const r of records) {
        // A keyed read parses only its key's records: the rest of the window is read, never decoded.
        if (r.value === null || (keyed !== undefined && r.key?.toString('utf8') !== keyed)) continue;
        try {
          onValue(JSON.parse(r.value.toString('utf8')));
        } catch {
          // Not JSON: the consumers of the topic dead-lettered it.
        }
      }
    },
  });
}

/** The captured records of these traffic ids among those captured in the window; invalid ones are skipped. */
export async function findTraffic(o: TopicWindowRead, ids: ReadonlySet<string>, window: { from: number; to: number }): Promise<Map<string, TrafficRecord>> {
  const found = new Map<string, TrafficRecord>();
  if (ids.size === 0) return found;
  await readTopicWindow(o, window, (value) => {
    const id = (value as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || !ids.has(id)) return;
    const parsed = trafficRecordSchema.safeParse(value);
    if (parsed.success) found.set(id, parsed.data);
  });
  return found;
}

/** The experiment's live all-slices snapshots published in the window (keyed by the experiment, as the aggregator writes them), oldest first. */
export async function recentSnapshots(o: TopicWindowRead, experimentId: string, window: { from: number; to: number }): Promise<AggregateSnapshot[]> {
  const found: AggregateSnapshot[] = [];
  await readTopicWindow(
    o,
    window,
    (value) => {
      const v = value as { experimentId?: unknown; sliceKey?: unknown } | null;
      if (v?.experimentId !== experimentId || v.sliceKey !== '*') return;
      const parsed = aggregateSnapshotSchema.safeParse(value);
      if (parsed.success) found.push(parsed.data);
    },
    experimentId,
  );
  return found.sort((a, b) => a.ts - b.ts);
}
