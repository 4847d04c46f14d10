import { type AuditRecord, GENESIS_HASH, auditHash } from '@penumbra/contracts';
import { type AuditDraft } from './describe';
import { chainRecord, verifyChain } from './chain';

const draft = (i: number): AuditDraft => ({ experimentId: 'exp-a', eventType: 'alert.v1', actor: 'sentinel', ts: 1_700_000_000_000 + i, event: { n: i, note: `event ${i}` } });

function chain(n: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let i = 0; i < n; i += 1) out.push(chainRecord(out[i - 1], draft(i), `shadow.alerts:0:${i}`, { topic: 'shadow.alerts', partition: 0, offset: String(i) }));
  return out;
}

describe('chainRecord', () => {
  it('numbers from 1, starts at the genesis hash and links each record to the previous hash', () => {
    const [a, b] = chain(2);
    expect(a).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(b).toMatchObject({ seq: 2, prevHash: a?.hash });
    expect(b?.hash).toBe(auditHash({ ...b!, hash: undefined } as Omit<AuditRecord, 'hash'>));
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain in any order, and an empty one', () => {
    const records = chain(5);
    expect(verifyChain(records)).toEqual({ ok: true, count: 5, duplicates: 0 });
    expect(verifyChain([...records].reverse())).toEqual({ ok: true, count: 5, duplicates: 0 });
    expect(verifyChain([])).toEqual({ ok: true, count: 0, duplicates: 0 });
  });

  it('survives a JSON round trip, as records do on the topic', () => {
    expect(verifyChain(JSON.parse(JSON.stringify(chain(4))) as unknown[])).toMatchObject({ ok: true, count: 4 });
  });

  it('lets an identical copy under the same key pass as a redelivery', () => {
    const records = chain(3);
    expect(verifyChain([...records, records[1]])).toEqual({ ok: true, count: 3, duplicates: 1 });
  });

  it('points at a record whose content was modified', () => {
    const records = chain(5);
    const forged = { ...records[2]!, event: { n: 2, note: 'rewritten' } };
    const verdict = verifyChain([records[0], records[1], forged, records[3], records[4]]);
    expect(verdict).toMatchObject({ ok: false, count: 2, firstBroken: { seq: 3, id: 'shadow.alerts:0:2', reason: expect.stringMatching(/hash does not match/) } });
  });

  it('points at a modified copy written under the key of an existing record', () => {
    const records = chain(5);
    const forged = { ...records[2]!, event: { n: 2, note: 'rewritten' } };
    expect(verifyChain([...records, forged]).firstBroken).toMatchObject({
      seq: 3,
      id: 'shadow.alerts:0:2',
      reason: expect.stringMatching(/second copy of seq 3 .* hash does not match/),
    });
  });

  it('points at the next link when a record was rewritten with a fresh hash', () => {
    const records = chain(5);
    const body = { ...records[2]!, event: { n: 2, note: 'rewritten' }, hash: undefined };
    const rehashed = { ...body, hash: auditHash(body as Omit<AuditRecord, 'hash'>) };
    const verdict = verifyChain([records[0], records[1], rehashed, records[3], records[4]]);
    expect(verdict.firstBroken).toMatchObject({ seq: 4, reason: expect.stringMatching(/prevHash is not the hash of seq 3/) });
  });

  it('reports a second record at a taken seq, a missing seq, and a value that is not an audit record', () => {
    const records = chain(4);
    const impostor = { ...records[1]!, id: 'forged:0:0', event: { n: 99 } };
    expect(verifyChain([...records, impostor]).firstBroken).toMatchObject({ seq: 2, id: 'forged:0:0', reason: expect.stringMatching(/seq 2 is taken twice/) });
    expect(verifyChain([records[0], records[2], records[3]]).firstBroken).toMatchObject({ seq: 3, reason: 'seq 2 missing before this record' });
    expect(verifyChain([...records, { type: 'audit.v1', seq: 3, id: 'junk', hash: 'zz' }]).firstBroken).toMatchObject({
      seq: 3,
      id: 'junk',
      reason: expect.stringMatching(/not a valid audit record/),
    });
  });

  it('rejects a chain that does not start from genesis', () => {
    const records = chain(3)
      .slice(1)
      .map((r, i) => ({ ...r, seq: i + 1 }));
    expect(verifyChain(records).firstBroken).toMatchObject({ seq: 1, reason: expect.stringMatching(/genesis/) });
  });
});
