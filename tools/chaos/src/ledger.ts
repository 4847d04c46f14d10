import { randomBytes } from 'node:crypto';
import { type z } from 'zod';
import { type DeadLetter, TOPICS, auditRecordSchema, deadLetterKey, deadLetterSchema, goReplayMessageSchema } from '@penumbra/contracts';
import { type AdminPort, type IncomingRecord, type KafkaClient, decodeRecord } from '@penumbra/kafka';
import { waitFor } from '@penumbra/testing';
import { CASE_HEADER, type ChaosRecord } from './hostile-corpus';
import { type Attacked, isContractTopic } from './records';

export type Outcome = 'dead-lettered' | 'audited as invalid' | 'processed' | 'not consumed yet' | 'SILENT DROP' | 'refused by the broker' | 'not found';

export interface LocatedRecord extends ChaosRecord {
  partition?: number;
  offset?: string;
  /** Why the producer could not write it (the broker's limit, for instance). */
  refused?: string;
}

export interface CaseResult {
  caseId: string;
  topic: Attacked;
  kind: string;
  probe: boolean;
  outcome: Outcome;
  deadLetters: number;
  reasons: string[];
  /** The consumer groups that read the topic and had committed past the record. */
  committedBy: string[];
  lagging: string[];
}

/**
 * Reads a topic from its start to the high-water marks it had when called; commits nothing. The last offsets
 * of a transactional topic are commit markers, never delivered as records, so reaching the end is learnt from
 * the consumer's position after each fetch, not only from the records seen.
 */
export async function readTopic(client: KafkaClient, admin: AdminPort, topic: string, timeoutMs = 180_000): Promise<IncomingRecord[]> {
  const ends = new Map((await admin.topicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  const remaining = () => [...ends].filter(([p, high]) => (reached.get(p) ?? -1n) + 1n < high).length;
  const reached = new Map<number, bigint>();
  const seen: IncomingRecord[] = [];
  if (remaining() === 0) return seen;
  const consumer = client.consumer({ groupId: `chaos-reader-${randomBytes(6).toString('hex')}`, maxBytesPerPartition: 16 * 1024 * 1024 });
  consumer.onPosition((t, partition, lastOffset) => {
    if (t === topic && BigInt(lastOffset) > (reached.get(partition) ?? -1n)) reached.set(partition, BigInt(lastOffset));
  });
  await consumer.subscribe([topic], { fromBeginning: true });
  await consumer.run(async (batch, control) => {
    for (const r of batch.records) {
      if (BigInt(r.offset) < (ends.get(r.partition) ?? 0n)) seen.push(r);
      reached.set(r.partition, BigInt(r.offset));
    }
    const last = batch.records[batch.records.length - 1];
    if (last) control.resolveOffset(last.offset);
  });
  try {
    await waitFor(() => remaining() === 0, { timeoutMs, intervalMs: 200, what: () => `${topic} read to its end (${remaining()} partitions to go)` });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** Where each chaos record landed, found by its `x-chaos-case` header. */
export function locate(records: ChaosRecord[], consumed: IncomingRecord[], refused: Map<string, string>): LocatedRecord[] {
  const at = new Map<string, IncomingRecord>();
  for (const r of consumed) {
    const id = r.headers[CASE_HEADER];
    if (id !== undefined && !at.has(id)) at.set(id, r);
  }
  return records.map((r) => {
    const found = at.get(r.caseId);
    const why = refused.get(r.caseId);
    return { ...r, ...(found ? { partition: found.partition, offset: found.offset } : {}), ...(why ? { refused: why } : {}) };
  });
}

export function parseDeadLetters(records: IncomingRecord[]): Map<string, DeadLetter[]> {
  const byKey = new Map<string, DeadLetter[]>();
  for (const r of records) {
    const d = decodeRecord(r.value, deadLetterSchema);
    if (!d.ok) continue;
    const k = deadLetterKey(d.value.source.topic, d.value.source.partition, d.value.source.offset);
    byKey.set(k, [...(byKey.get(k) ?? []), d.value]);
  }
  return byKey;
}

/**
 * The audit-sink does not dead-letter what it cannot read on the topics it audits: it writes an
 * `invalid` audit record with the reason. Those, by source coordinates.
 */
export function parseAuditedInvalid(records: IncomingRecord[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const r of records) {
    const d = decodeRecord(r.value, auditRecordSchema);
    if (!d.ok || d.value.eventType !== 'invalid') continue;
    const event = d.value.event;
    const said = typeof event === 'object' && event !== null && 'reason' in event ? event.reason : undefined;
    const reason = typeof said === 'string' && said.length > 0 ? said : 'invalid';
    const k = deadLetterKey(d.value.source.topic, d.value.source.partition, d.value.source.offset);
    byKey.set(k, [...(byKey.get(k) ?? []), reason]);
  }
  return byKey;
}

/** Whether the consumers' own gate (UTF-8, JSON, bounds, schema) admits the record. */
export function admitted(topic: Attacked, value: Buffer): boolean {
  const schema: z.ZodType = isContractTopic(topic) ? TOPICS[topic].schema : goReplayMessageSchema;
  return decodeRecord(value, schema).ok;
}

/**
 * One record's fate. Consumers commit only after their output and dead letters are durable, so a
 * record every reading group committed past is either dead-lettered (with a reason) or was handed
 * to the service; an inadmissible record with no dead letter behind a commit was dropped silently.
 */
export function classify(
  r: LocatedRecord,
  topicName: string,
  deadLetters: Map<string, DeadLetter[]>,
  committed: Map<string, Map<number, bigint>>,
  audited: Map<string, string[]> = new Map(),
): CaseResult {
  const base = { caseId: r.caseId, topic: r.topic, kind: r.kind, probe: r.probe };
  if (r.refused !== undefined) return { ...base, outcome: 'refused by the broker', deadLetters: 0, reasons: [r.refused], committedBy: [], lagging: [] };
  if (r.partition === undefined || r.offset === undefined) return { ...base, outcome: 'not found', deadLetters: 0, reasons: [], committedBy: [], lagging: [] };
  const letters = deadLetters.get(deadLetterKey(topicName, r.partition, r.offset)) ?? [];
  const auditedAs = audited.get(deadLetterKey(topicName, r.partition, r.offset)) ?? [];
  const offset = BigInt(r.offset);
  const committedBy: string[] = [];
  const lagging: string[] = [];
  for (const [group, offsets] of committed) (((offsets.get(r.partition) ?? -1n) > offset ? committedBy : lagging) as string[]).push(group);
  const reasons = [...new Set([...letters.map((l) => `${l.errorClass}: ${l.reason}`), ...auditedAs.map((a) => `audit: ${a}`)].map((x) => x.slice(0, 160)))];
  const consumed = committedBy.length > 0 && lagging.length === 0;
  let outcome: Outcome;
  if (letters.length > 0 && letters.every((l) => l.reason.length > 0)) outcome = 'dead-lettered';
  else if (auditedAs.length > 0 && consumed && !admitted(r.topic, r.value)) outcome = 'audited as invalid';
  else if (!consumed) outcome = 'not consumed yet';
  else outcome = admitted(r.topic, r.value) ? 'processed' : 'SILENT DROP';
  return { ...base, outcome, deadLetters: letters.length, reasons, committedBy, lagging };
}
