import { type TrafficRecord, trafficRecordSchema } from '@penumbra/contracts';
import { type AdminPort, type TransactionalKafka } from '@penumbra/kafka';

export interface TrafficLookup {
  admin: AdminPort;
  kafka: TransactionalKafka;
  topic: string;
  /** The most records read, spread over the partitions. */
  maxScan: number;
}

/**
 * The captured records of these traffic ids, looked for among the records captured in [from, to)
 * (found by their timestamps), reading at most `maxScan` of them. An invalid record is skipped:
 * the mirror dead-lettered it when it first came.
 */
export async function findTraffic(o: TrafficLookup, ids: ReadonlySet<string>, window: { from: number; to: number }): Promise<Map<string, TrafficRecord>> {
  const found = new Map<string, TrafficRecord>();
  if (ids.size === 0) return found;
  const [starts, ends] = await Promise.all([o.admin.offsetsAtTime(o.topic, window.from), o.admin.offsetsAtTime(o.topic, window.to)]);
  const perPartition = BigInt(Math.max(1, Math.floor(o.maxScan / Math.max(1, starts.length))));
  const from: Record<number, string> = {};
  const to: Record<number, string> = {};
  for (const s of starts) {
    const start = BigInt(s.offset);
    const end = BigInt(ends.find((e) => e.partition === s.partition)?.offset ?? s.offset);
    if (end <= start) continue;
    from[s.partition] = String(start);
    to[s.partition] = String(end - start > perPartition ? start + perPartition : end);
  }
  const partitions = Object.keys(from).map(Number);
  if (partitions.length === 0) return found;
  await o.kafka.readToEnd({
    topic: o.topic,
    partitions,
    from,
    to,
    onRecords: (records) => {
      for (const r of records) {
        if (r.value === null) continue;
        let value: unknown;
        try {
          value = JSON.parse(r.value.toString('utf8'));
        } catch {
          continue;
        }
        const id = (value as { id?: unknown } | null)?.id;
        if (typeof id !== 'string' || !ids.has(id)) continue;
        const parsed = trafficRecordSchema.safeParse(value);
        if (parsed.success) found.set(id, parsed.data);
      }
    },
  });
  return found;
}
