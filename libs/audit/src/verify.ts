import { type TrustedKeys } from '@penumbra/contracts';
import { type TransactionalKafka } from '@penumbra/kafka';
import { type AuditVerdict, verifyAuditTrail } from './checkpoint';
import { readAllHistories, readHistory } from './history';

export interface TopicVerdict extends AuditVerdict {
  partition: number | null;
}

/**
 * What `penumbra audit verify` runs: one experiment's trail (or every trail on the topic) read
 * from the audit topic and checked by verifyAuditTrail against the trusted audit keys.
 */
export async function verifyAuditTopic(kafka: TransactionalKafka, topic: string, options: { experimentId?: string; keys: TrustedKeys | undefined }): Promise<TopicVerdict[]> {
  const histories = options.experimentId !== undefined ? [await readHistory(kafka, topic, options.experimentId)] : [...(await readAllHistories(kafka, topic)).values()];
  return histories.map((h) => ({ ...verifyAuditTrail(h, options.keys), partition: h.partition }));
}

/** One line: the verdict in words, naming the first break. */
export function describeVerdict(v: AuditVerdict): string {
  const b = v.firstBroken;
  if (b) return `${v.experimentId}: broken at seq ${b.seq ?? '?'} (${b.id ?? 'no id'}): ${b.reason}; ${v.count} records before it verify`;
  const copies = v.duplicates > 0 ? `, ${v.duplicates} redelivered copies awaiting compaction` : '';
  if (!v.checkpointsChecked) return `${v.experimentId}: the hash chain verifies (${v.count} records${copies}); checkpoints not checked`;
  const cp = v.checkpoint;
  const signed = cp ? `signed checkpoint at seq ${cp.seq} by ${cp.keyId} (${new Date(cp.ts).toISOString()})` : 'no signed checkpoint yet';
  const past = v.notYetCheckpointed > 0 ? `; ${v.notYetCheckpointed} records past it not yet checkpointed (hash-verified only)` : '';
  return `${v.experimentId}: the chain verifies (${v.count} records${copies}; ${signed}${past})`;
}
