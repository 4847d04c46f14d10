import { type AuditCheckpoint, type SigningKey, type TrustedKeys, auditCheckpointKey, auditCheckpointSchema, issuePath, signMessage, verifyMessage } from '@penumbra/contracts';
import { type BrokenLink, type ChainHead, type ChainVerdict, walkChain } from './chain';
import { type AuditHistory } from './history';

/** The signed checkpoint of one chain head. */
export function signCheckpoint(experimentId: string, head: ChainHead, ts: number, key: SigningKey): AuditCheckpoint {
  return signMessage({ type: 'audit-checkpoint.v1' as const, id: auditCheckpointKey(experimentId), ts, experimentId, seq: head.seq, hash: head.hash }, key);
}

export interface VerifiedCheckpoint {
  seq: number;
  hash: string;
  keyId: string;
  ts: number;
}

export interface AuditVerdict extends ChainVerdict {
  experimentId: string;
  /** False when no trusted keys were given: only the hash chain was checked. */
  checkpointsChecked: boolean;
  /** The latest checkpoint a trusted key signed (null when none). */
  checkpoint: VerifiedCheckpoint | null;
  /** Records that verify by their hashes past the latest checkpoint: no signature covers them yet. */
  notYetCheckpointed: number;
}

type CheckpointHistory = Pick<AuditHistory, 'experimentId' | 'raw' | 'checkpoints' | 'deleted'>;

const at = (ts: number) => (Number.isFinite(ts) ? new Date(ts).toISOString() : String(ts));

/**
 * The hash chain (verifyChain) and, given the audit-sink's public keys, every checkpoint against
 * it. A checkpoint no trusted key signed is a break of its own; a signed one whose seq the chain
 * no longer reaches shows a truncated tail; one whose hash is not the chain's at that seq shows
 * records rewritten, removed or reordered with the hashes recomputed. A tombstone on a key the
 * sink wrote is a break: the sink never deletes. The first break is the one with the lowest seq.
 */
export function verifyAuditTrail(history: CheckpointHistory, keys: TrustedKeys | undefined): AuditVerdict {
  const { verdict, hashes } = walkChain(history.raw);
  const breaks: BrokenLink[] = verdict.firstBroken ? [verdict.firstBroken] : [];
  for (const d of history.deleted)
    breaks.push({
      seq: d.seq,
      id: d.key,
      reason: d.checkpoint ? `the signed checkpoint at seq ${d.seq ?? '?'} was deleted by a tombstone` : 'the record was deleted by a tombstone on the audit topic',
    });
  let latest: VerifiedCheckpoint | null = null;
  /** Checkpoints that match the chain, by seq: what a mismatch can be said to follow. */
  const matched: number[] = [];
  let mismatchAt: number | undefined;
  if (keys !== undefined) {
    for (const value of history.checkpoints) {
      const parsed = auditCheckpointSchema.safeParse(value);
      if (!parsed.success) {
        const seq = (value as { seq?: unknown }).seq;
        const id = (value as { id?: unknown }).id;
        breaks.push({
          seq: typeof seq === 'number' ? seq : null,
          id: typeof id === 'string' ? id : null,
          reason: `not a valid audit checkpoint: ${parsed.error.issues
            .slice(0, 3)
            .map((i) => `${issuePath(i.path)}: ${i.message}`)
            .join('; ')}`,
        });
        continue;
      }
      const cp = parsed.data;
      const signed = verifyMessage(cp, keys);
      if (!signed.ok) {
        breaks.push({ seq: cp.seq, id: cp.id, reason: `forged checkpoint: ${signed.reason}` });
        continue;
      }
      const by = `the checkpoint signed by ${signed.keyId} at ${at(cp.ts)}`;
      if (cp.seq > hashes.length) {
        // A chain broken before the checkpoint's seq already names an earlier break.
        if (verdict.ok)
          breaks.push({
            seq: hashes.length + 1,
            id: cp.id,
            reason: `seq ${hashes.length + 1}${cp.seq > hashes.length + 1 ? `..${cp.seq}` : ''} missing: the chain ends at seq ${hashes.length} but ${by} covers seq ${cp.seq} (tail truncated)`,
          });
      } else if (hashes[cp.seq - 1] !== cp.hash) {
        breaks.push({
          seq: cp.seq,
          id: cp.id,
          reason: `the hash at seq ${cp.seq} is not the one ${by} holds: a record at or before it was rewritten, removed or reordered and the later hashes recomputed`,
        });
        mismatchAt = Math.min(mismatchAt ?? cp.seq, cp.seq);
      } else {
        matched.push(cp.seq);
        if (!latest || cp.seq > latest.seq) latest = { seq: cp.seq, hash: cp.hash, keyId: signed.keyId, ts: cp.ts };
      }
    }
  }
  const first = breaks.map((b, i) => ({ b, i })).sort((x, y) => (x.b.seq ?? 0) - (y.b.seq ?? 0) || x.i - y.i)[0]?.b;
  const base = { experimentId: history.experimentId, checkpointsChecked: keys !== undefined, duplicates: verdict.duplicates };
  if (!first) return { ...base, ok: true, count: verdict.count, checkpoint: latest, notYetCheckpointed: verdict.count - (latest?.seq ?? 0) };
  // After a mismatch only the records a matching earlier checkpoint covers are known intact.
  const firstSeq = first.seq ?? 0;
  const vouched = firstSeq === mismatchAt ? Math.max(0, ...matched.filter((s) => s < firstSeq)) : Math.max(0, firstSeq - 1);
  return { ...base, ok: false, count: Math.min(verdict.count, vouched), checkpoint: latest, notYetCheckpointed: 0, firstBroken: first };
}
