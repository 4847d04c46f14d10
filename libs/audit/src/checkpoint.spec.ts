import { type AuditRecord, generateSigningKeyFiles, signingKeyFromJson, trustedKeysFromJson } from '@penumbra/contracts';
import { chainRecord } from './chain';
import { signCheckpoint, verifyAuditTrail } from './checkpoint';
import { type AuditDraft } from './describe';

const files = generateSigningKeyFiles('audit-test');
const key = signingKeyFromJson(files.signingKey);
const keys = trustedKeysFromJson(files.trustedKeys);
const other = generateSigningKeyFiles('audit-test');

const draft = (i: number, note = `event ${i}`): AuditDraft => ({
  experimentId: 'exp-a',
  eventType: 'alert.v1',
  actor: 'sentinel',
  ts: 1_700_000_000_000 + i,
  event: { n: i, note },
});

function chainOf(drafts: AuditDraft[]): AuditRecord[] {
  const out: AuditRecord[] = [];
  drafts.forEach((d, i) => out.push(chainRecord(out[i - 1], d, `shadow.alerts:0:${i}`, { topic: 'shadow.alerts', partition: 0, offset: String(i) })));
  return out;
}

const chain = (n: number) => chainOf(Array.from({ length: n }, (_, i) => draft(i)));
const checkpointAt = (records: AuditRecord[], seq: number) => signCheckpoint('exp-a', records[seq - 1]!, 1_700_000_100_000, key);
const history = (raw: unknown[], checkpoints: unknown[] = [], deleted: Array<{ key: string; seq: number | null; checkpoint: boolean }> = []) => ({
  experimentId: 'exp-a',
  raw,
  checkpoints,
  deleted,
});

describe('verifyAuditTrail', () => {
  it('passes an untampered chain, names its latest checkpoint and counts the records past it as not yet checkpointed', () => {
    const records = chain(10);
    const verdict = verifyAuditTrail(history(records, [checkpointAt(records, 4), checkpointAt(records, 8)]), keys);
    expect(verdict).toEqual({
      experimentId: 'exp-a',
      ok: true,
      count: 10,
      duplicates: 0,
      checkpointsChecked: true,
      checkpoint: { seq: 8, hash: records[7]!.hash, keyId: 'audit-test', ts: 1_700_000_100_000 },
      notYetCheckpointed: 2,
    });
  });

  it('catches a record rewritten with every later hash recomputed, which the hash chain alone accepts', () => {
    const records = chain(10);
    const cp = checkpointAt(records, 8);
    const rewritten = chainOf(Array.from({ length: 10 }, (_, i) => (i === 2 ? draft(i, 'nothing happened here') : draft(i))));
    expect(verifyAuditTrail(history(rewritten), undefined)).toMatchObject({ ok: true, checkpointsChecked: false });
    const verdict = verifyAuditTrail(history(rewritten, [cp]), keys);
    expect(verdict).toMatchObject({
      ok: false,
      count: 0,
      firstBroken: { seq: 8, id: 'audit-checkpoint:exp-a', reason: expect.stringMatching(/hash at seq 8 is not the one the checkpoint signed by audit-test/) },
    });
  });

  it('vouches only for the records an earlier matching checkpoint covers when a later one mismatches', () => {
    const records = chain(10);
    const rewritten = chainOf(Array.from({ length: 10 }, (_, i) => (i === 6 ? draft(i, 'rewritten') : draft(i))));
    expect(verifyAuditTrail(history(rewritten, [checkpointAt(records, 4), checkpointAt(records, 9)]), keys)).toMatchObject({ ok: false, count: 4, firstBroken: { seq: 9 } });
  });

  it('catches a truncated tail: the chain ends before the checkpointed seq', () => {
    const records = chain(10);
    const verdict = verifyAuditTrail(history(records.slice(0, 6), [checkpointAt(records, 9)]), keys);
    expect(verdict).toMatchObject({
      ok: false,
      count: 6,
      firstBroken: { seq: 7, reason: expect.stringMatching(/seq 7\.\.9 missing: the chain ends at seq 6 .* covers seq 9 \(tail truncated\)/) },
    });
  });

  it('catches reordered records, with or without the hashes recomputed', () => {
    const records = chain(6);
    const cp = checkpointAt(records, 6);
    const swapped = records.map((r, i) => (i === 2 ? { ...records[3]!, seq: 3 } : i === 3 ? { ...records[2]!, seq: 4 } : r));
    expect(verifyAuditTrail(history(swapped, [cp]), keys).firstBroken).toMatchObject({ seq: 3, reason: expect.stringMatching(/prevHash is not the hash of seq 2/) });
    const rechained = chainOf([0, 1, 3, 2, 4, 5].map((i) => draft(i)));
    expect(verifyAuditTrail(history(rechained, [cp]), keys).firstBroken).toMatchObject({ seq: 6, reason: expect.stringMatching(/rewritten, removed or reordered/) });
  });

  it('treats a checkpoint no trusted key signed as a break of its own', () => {
    const records = chain(5);
    const foreign = signCheckpoint('exp-a', records[4]!, 1, signingKeyFromJson(other.signingKey));
    expect(verifyAuditTrail(history(records, [foreign]), keys).firstBroken).toMatchObject({
      seq: 5,
      reason: expect.stringMatching(/forged checkpoint: bad signature for key "audit-test"/),
    });
    const unknown = signCheckpoint('exp-a', records[4]!, 1, { ...signingKeyFromJson(other.signingKey), keyId: 'mallory' });
    expect(verifyAuditTrail(history(records, [unknown]), keys).firstBroken).toMatchObject({ reason: 'forged checkpoint: signed by unknown key "mallory"' });
    const moved = { ...checkpointAt(records, 5), seq: 4, hash: records[3]!.hash };
    expect(verifyAuditTrail(history(records, [moved]), keys).firstBroken).toMatchObject({ seq: 4, reason: expect.stringMatching(/forged checkpoint/) });
    expect(verifyAuditTrail(history(records, [{ type: 'audit-checkpoint.v1', seq: 2 }]), keys).firstBroken).toMatchObject({
      seq: 2,
      reason: expect.stringMatching(/not a valid audit checkpoint/),
    });
  });

  it('reports a record or checkpoint deleted by a tombstone, before compaction removes the evidence', () => {
    const records = chain(5);
    const verdict = verifyAuditTrail(history(records.slice(0, 4), [], [{ key: records[4]!.id, seq: 5, checkpoint: false }]), keys);
    expect(verdict.firstBroken).toEqual({ seq: 5, id: records[4]!.id, reason: 'the record was deleted by a tombstone on the audit topic' });
    const gone = verifyAuditTrail(history(records, [], [{ key: 'audit-checkpoint:exp-a', seq: 3, checkpoint: true }]), keys);
    expect(gone.firstBroken?.reason).toBe('the signed checkpoint at seq 3 was deleted by a tombstone');
  });

  it('names the lowest-seq break when there are several', () => {
    const records = chain(8);
    const tampered = records.map((r, i) => (i === 5 ? { ...r, actor: 'mallory' } : r));
    const verdict = verifyAuditTrail(history(tampered, [checkpointAt(records, 8), { type: 'audit-checkpoint.v1', seq: 7 }]), keys);
    expect(verdict).toMatchObject({ ok: false, count: 5, firstBroken: { seq: 6, reason: expect.stringMatching(/hash does not match the record/) } });
  });
});
