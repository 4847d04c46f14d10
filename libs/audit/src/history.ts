import { type AuditRecord, auditRecordSchema } from '@penumbra/contracts';
import { type IncomingRecord, type TransactionalKafka } from '@penumbra/kafka';
import { auditPartition } from './keys';

export interface DeletedEntry {
  /** The key a tombstone deleted. */
  key: string;
  /** The seq the deleted value claimed (null when it claimed none). */
  seq: number | null;
  /** Whether the deleted value was a checkpoint rather than a record. */
  checkpoint: boolean;
}

export interface AuditHistory {
  experimentId: string;
  partition: number | null;
  /** Valid records in chain order (seq, then offset). */
  records: AuditRecord[];
  /** Every value on the partition that claims this experiment, valid or not, in offset order: what verifyChain reads. */
  raw: unknown[];
  /** Every value that claims to be a checkpoint of this experiment, in offset order, signed or not. */
  checkpoints: unknown[];
  /** Values of this experiment that a later tombstone deleted (compaction will remove them). */
  deleted: DeletedEntry[];
}

const CHECKPOINT_TYPE = 'audit-checkpoint.v1';

function jsonValue(value: Buffer): unknown {
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
}

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
}

/** Sorts by seq, stably, so that copies keep their offset order. */
export function inChainOrder(records: AuditRecord[]): AuditRecord[] {
  return records
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.seq - b.r.seq || a.i - b.i)
    .map(({ r }) => r);
}

interface Entry {
  experimentId: string;
  value: unknown;
  checkpoint: boolean;
  deleted: boolean;
}

/**
 * The audit topic as a compacted table will hold it: records read in offset order, grouped by the
 * experiment they claim, with a tombstone deleting what its key held before (and noted, since
 * nothing the sink writes is ever deleted).
 */
export class AuditLogReader {
  private readonly byKey = new Map<string, Entry[]>();
  private readonly entries: Entry[] = [];

  /** Only values that claim this experiment are kept, when given. */
  constructor(private readonly only?: string) {}

  add(record: IncomingRecord): void {
    const key = record.key?.toString('utf8') ?? '';
    if (record.value === null) {
      for (const e of this.byKey.get(key) ?? []) e.deleted = true;
      return;
    }
    const value = jsonValue(record.value);
    const experimentId = field(value, 'experimentId');
    if (typeof experimentId !== 'string' || (this.only !== undefined && experimentId !== this.only)) return;
    const entry: Entry = { experimentId, value, checkpoint: field(value, 'type') === CHECKPOINT_TYPE, deleted: false };
    this.entries.push(entry);
    const same = this.byKey.get(key);
    if (same) same.push(entry);
    else this.byKey.set(key, [entry]);
  }

  histories(partitionOf: (experimentId: string) => number | null): Map<string, AuditHistory> {
    const out = new Map<string, AuditHistory>();
    const keyOf = new Map<Entry, string>();
    for (const [key, entries] of this.byKey) for (const e of entries) keyOf.set(e, key);
    for (const e of this.entries) {
      let h = out.get(e.experimentId);
      if (!h) {
        h = { experimentId: e.experimentId, partition: partitionOf(e.experimentId), records: [], raw: [], checkpoints: [], deleted: [] };
        out.set(e.experimentId, h);
      }
      const seq = field(e.value, 'seq');
      if (e.deleted) h.deleted.push({ key: keyOf.get(e) ?? '', seq: typeof seq === 'number' ? seq : null, checkpoint: e.checkpoint });
      else if (e.checkpoint) h.checkpoints.push(e.value);
      else h.raw.push(e.value);
    }
    for (const h of out.values()) {
      const records: AuditRecord[] = [];
      for (const value of h.raw) {
        const parsed = auditRecordSchema.safeParse(value);
        if (parsed.success) records.push(parsed.data);
      }
      h.records = inChainOrder(records);
    }
    return out;
  }
}

/** Reads one experiment's history from its partition of the audit topic, committed records only. */
export async function readHistory(kafka: TransactionalKafka, topic: string, experimentId: string, timeoutMs = 120_000): Promise<AuditHistory> {
  const reader = new AuditLogReader(experimentId);
  let partition: number | null = null;
  await kafka.readToEnd({
    topic,
    timeoutMs,
    partitions: (count) => {
      partition = auditPartition(experimentId, count);
      return [partition];
    },
    onRecords: (records) => records.forEach((r) => reader.add(r)),
  });
  const found = partition;
  return reader.histories(() => found).get(experimentId) ?? { experimentId, partition, records: [], raw: [], checkpoints: [], deleted: [] };
}

/** Every experiment's history from the whole audit topic (held in memory: for verification, not for serving). */
export async function readAllHistories(kafka: TransactionalKafka, topic: string, timeoutMs = 600_000): Promise<Map<string, AuditHistory>> {
  const readers = new Map<number, AuditLogReader>();
  let partitions = 0;
  await kafka.readToEnd({
    topic,
    timeoutMs,
    partitions: (count) => {
      partitions = count;
      return Array.from({ length: count }, (_, i) => i);
    },
    onRecords: (records) => {
      for (const r of records) {
        let reader = readers.get(r.partition);
        if (!reader) readers.set(r.partition, (reader = new AuditLogReader()));
        reader.add(r);
      }
    },
  });
  const out = new Map<string, AuditHistory>();
  for (const [partition, reader] of readers) {
    for (const [id, h] of reader.histories(() => partition)) {
      // A value on a partition its experiment does not hash to is still shown, under that experiment.
      const seen = out.get(id);
      if (!seen) out.set(id, { ...h, partition: partitions > 0 ? auditPartition(id, partitions) : partition });
      else
        out.set(id, {
          ...seen,
          records: inChainOrder([...seen.records, ...h.records]),
          raw: [...seen.raw, ...h.raw],
          checkpoints: [...seen.checkpoints, ...h.checkpoints],
          deleted: [...seen.deleted, ...h.deleted],
        });
    }
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
