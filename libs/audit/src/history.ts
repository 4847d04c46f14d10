import { type AuditRecord, auditRecordSchema } from '@penumbra/contracts';
import { type IncomingRecord, type TransactionalKafka } from '@penumbra/kafka';
import { auditPartition } from './keys';

export interface AuditHistory {
  experimentId: string;
  partition: number | null;
  /** Valid records in chain order (seq, then offset). */
  records: AuditRecord[];
  /** Every value on the partition that claims this experiment, valid or not, in offset order: what verifyChain reads. */
  raw: unknown[];
}

function jsonValue(record: IncomingRecord): unknown {
  if (record.value === null) return undefined;
  try {
    return JSON.parse(record.value.toString('utf8'));
  } catch {
    return undefined;
  }
}

function claimsExperiment(value: unknown, experimentId: string): boolean {
  return value !== null && typeof value === 'object' && (value as Record<string, unknown>)['experimentId'] === experimentId;
}

/** Sorts by seq, stably, so that copies keep their offset order. */
export function inChainOrder(records: AuditRecord[]): AuditRecord[] {
  return records
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.seq - b.r.seq || a.i - b.i)
    .map(({ r }) => r);
}

/** Reads one experiment's history from its partition of the audit topic, committed records only. */
export async function readHistory(kafka: TransactionalKafka, topic: string, experimentId: string, timeoutMs = 120_000): Promise<AuditHistory> {
  const raw: unknown[] = [];
  let partition: number | null = null;
  await kafka.readToEnd({
    topic,
    timeoutMs,
    partitions: (count) => {
      partition = auditPartition(experimentId, count);
      return [partition];
    },
    onRecords: (records) => {
      for (const record of records) {
        const value = jsonValue(record);
        if (claimsExperiment(value, experimentId)) raw.push(value);
      }
    },
  });
  const records: AuditRecord[] = [];
  for (const value of raw) {
    const parsed = auditRecordSchema.safeParse(value);
    if (parsed.success) records.push(parsed.data);
  }
  return { experimentId, partition, records: inChainOrder(records), raw };
}
