import { type AuditRecord, GENESIS_HASH, auditHash, auditRecordSchema, issuePath } from '@penumbra/contracts';
import { type AuditDraft } from './describe';

export interface ChainHead {
  seq: number;
  hash: string;
}

/** The next record of a chain: seq one past the head, prevHash the head's hash, hash over the rest. */
export function chainRecord(head: ChainHead | undefined, draft: AuditDraft, id: string, source: AuditRecord['source']): AuditRecord {
  const unhashed: Omit<AuditRecord, 'hash'> = {
    type: 'audit.v1',
    id,
    ts: draft.ts,
    experimentId: draft.experimentId,
    seq: (head?.seq ?? 0) + 1,
    source,
    eventType: draft.eventType.slice(0, 100),
    actor: draft.actor,
    event: draft.event,
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  return { ...unhashed, hash: auditHash(unhashed) };
}

export interface BrokenLink {
  /** The seq the broken record claims (null when it has none). */
  seq: number | null;
  id: string | null;
  reason: string;
}

export interface ChainVerdict {
  ok: boolean;
  /** Records that verified, in chain order, before the first broken link. */
  count: number;
  /** Copies of a record under its own key with identical content: a redelivery that compaction will collapse. */
  duplicates: number;
  firstBroken?: BrokenLink;
}

function claimed(value: unknown, name: 'seq' | 'id'): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
}

/**
 * Recomputes one experiment's chain from its records as read (any order; sorted by seq, stably)
 * and reports the first link that does not hold: a record that is not an audit record, a seq
 * missing or taken twice, a prevHash that is not the previous record's hash, or a hash that does
 * not match the record's content.
 */
export function verifyChain(values: readonly unknown[]): ChainVerdict {
  return walkChain(values).verdict;
}

/** verifyChain, with the hash of every record that verified (index i holds seq i + 1). */
export function walkChain(values: readonly unknown[]): { verdict: ChainVerdict; hashes: string[] } {
  const records: AuditRecord[] = [];
  let invalid: BrokenLink | undefined;
  for (const value of values) {
    const parsed = auditRecordSchema.safeParse(value);
    if (parsed.success) {
      records.push(parsed.data);
      continue;
    }
    const seq = claimed(value, 'seq');
    const link: BrokenLink = {
      seq: typeof seq === 'number' ? seq : null,
      id: typeof claimed(value, 'id') === 'string' ? String(claimed(value, 'id')) : null,
      reason: `not a valid audit record: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${issuePath(i.path)}: ${i.message}`)
        .join('; ')}`,
    };
    if (!invalid || (link.seq ?? 0) < (invalid.seq ?? 0)) invalid = link;
  }
  records.sort((a, b) => a.seq - b.seq);
  const accepted = new Map<string, string>();
  const hashes: string[] = [];
  let prev: AuditRecord | undefined;
  let duplicates = 0;
  let broken: BrokenLink | undefined;
  const experimentId = records[0]?.experimentId;
  for (const r of records) {
    const link = (reason: string): BrokenLink => ({ seq: r.seq, id: r.id, reason });
    const intact = auditHash(r) === r.hash;
    if (prev && r.seq <= prev.seq && accepted.get(r.id) === r.hash && intact) {
      duplicates += 1;
      continue;
    }
    const expected = (prev?.seq ?? 0) + 1;
    if (r.experimentId !== experimentId) broken = link(`belongs to experiment ${r.experimentId}, not ${experimentId ?? '?'}`);
    else if (r.seq < expected && accepted.has(r.id))
      broken = link(`a second copy of seq ${r.seq} under the same key differs from the first${intact ? '' : ': its hash does not match it'}`);
    else if (r.seq < expected) broken = link(`seq ${r.seq} is taken twice: ${r.id} differs from the record already at that seq`);
    else if (r.seq > expected) broken = link(`seq ${expected}${r.seq - 1 > expected ? `..${r.seq - 1}` : ''} missing before this record`);
    else if (r.prevHash !== (prev?.hash ?? GENESIS_HASH))
      broken = link(prev ? `prevHash is not the hash of seq ${prev.seq} (${prev.id})` : 'the first record does not start from the genesis hash');
    else if (!intact) broken = link('hash does not match the record: it was modified after it was written');
    if (broken) break;
    accepted.set(r.id, r.hash);
    hashes.push(r.hash);
    prev = r;
  }
  const first = [broken, invalid].filter((b): b is BrokenLink => b !== undefined).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))[0];
  const count = first ? Math.min(accepted.size, Math.max(0, (first.seq ?? 1) - 1)) : accepted.size;
  return { verdict: first ? { ok: false, count, duplicates, firstBroken: first } : { ok: true, count, duplicates }, hashes: hashes.slice(0, count) };
}
