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
