import { type AuditRecord } from '@penumbra/contracts';
import { chainRecord } from '@penumbra/audit';
import { AuditIndex } from './audit-index';

function records(experimentId: string, n: number, event: unknown = {}): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let i = 0; i < n; i += 1) {
    out.push(chainRecord(out[i - 1], { experimentId, eventType: 'alert.v1', actor: 'a', ts: i, event }, `${experimentId}:0:${i}`, { topic: 't', partition: 0, offset: String(i) }));
  }
  return out;
}

describe('AuditIndex', () => {
  it('keeps the head of each chain and its history in chain order', () => {
    const index = new AuditIndex(1000);
    const a = records('a', 3);
    [a[0], a[2], a[1]].forEach((r) => index.add(r!));
    expect(index.head('a')).toEqual({ seq: 3, hash: a[2]!.hash });
    expect(index.history('a')?.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(index.history('none')).toEqual([]);
  });

  it('lets the least recently written histories go past the bound, never the heads', () => {
    const index = new AuditIndex(100);
    records('old', 60).forEach((r) => index.add(r));
    records('new', 60).forEach((r) => index.add(r));
    expect(index.history('old')).toBeUndefined();
    expect(index.history('new')).toHaveLength(60);
    expect(index.head('old')).toMatchObject({ seq: 60 });
    expect(index.heldRecords).toBeLessThanOrEqual(100);
  });

  it('evicts histories and heads least recently written first, a write moving a chain to the back', () => {
    const index = new AuditIndex(100, 3);
    for (const id of ['a', 'b', 'c']) records(id, 2).forEach((r) => index.add(r));
    index.add(records('a', 3)[2]!);
    records('d', 1).forEach((r) => index.add(r));
    expect(index.size).toBe(3);
    expect(index.head('b')).toBeUndefined();
    expect(index.head('a')).toMatchObject({ seq: 3 });
    expect(index.mayHaveEvicted).toBe(true);
    // An unknown chain may be on the topic once heads were evicted: its history is read from there.
    expect(index.history('b')).toBeUndefined();
    // Written again past its start, its head is known but its history stays on the topic.
    index.add(records('b', 3)[2]!);
    expect([index.head('b')?.seq, index.history('b')]).toEqual([3, undefined]);
    const fresh = new AuditIndex(100, 3);
    expect([fresh.mayHaveEvicted, fresh.history('b')]).toEqual([false, []]);
  });

  it('bounds 40,000 chains to the configured heads and records, keeping the most recent', () => {
    const index = new AuditIndex(1_000, 10_000);
    for (let i = 0; i < 40_000; i += 1) records(`e${i}`, 2).forEach((r) => index.add(r));
    expect([index.size, index.heldRecords]).toEqual([10_000, 1_000]);
    expect(index.head('e39999')).toMatchObject({ seq: 2 });
    expect(index.head('e29999')).toBeUndefined();
    expect(index.history('e39999')).toHaveLength(2);
  });

  it('tracks the heads past their latest checkpoint, also for a head read back from the topic', () => {
    const index = new AuditIndex(100, 2);
    const a = records('a', 3);
    a.forEach((r) => index.add(r));
    expect(index.uncheckpointed()).toEqual([['a', { seq: 3, hash: a[2]!.hash }]]);
    index.checkpointed('a', 2);
    expect(index.uncheckpointedCount).toBe(1);
    index.checkpointed('a', 3);
    expect([index.uncheckpointedCount, index.checkpointedSeq('a')]).toEqual([0, 3]);
    index.restore('z', { head: { seq: 9, hash: 'f'.repeat(64) }, checkpointed: 5 });
    expect(index.uncheckpointed().map(([id, h]) => [id, h.seq])).toEqual([['z', 9]]);
    expect([index.checkpointedSeq('z'), index.history('z')]).toEqual([5, undefined]);
  });

  it("remembers each experiment's redaction paths from its last published spec", () => {
    const index = new AuditIndex(100);
    const spec = {
      id: 'r',
      target: { service: 's' },
      shadow: { candidate: { baseUrl: 'http://127.0.0.1:1' } },
      compare: { redact: ['$..email'] },
      policy: { stages: [{ name: 'x' }] },
    };
    const [published] = records('r', 1, { type: 'experiment.v1', id: 'e1', ts: 1, experimentId: 'r', actor: 'ann', spec });
    index.add({ ...published!, eventType: 'experiment.v1' });
    expect(index.redactPaths('r')).toEqual(['$..email']);
    expect(index.redactPaths('other')).toEqual([]);
  });
});
