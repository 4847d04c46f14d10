import { describeVerdict } from './verify';

const base = { experimentId: 'exp-a', duplicates: 0, checkpointsChecked: true, notYetCheckpointed: 0 };

describe('describeVerdict', () => {
  it('names the first break: experiment, seq, key and what', () => {
    const line = describeVerdict({ ...base, ok: false, count: 9, checkpoint: null, firstBroken: { seq: 10, id: 'audit-checkpoint:exp-a', reason: 'seq 10..12 missing' } });
    expect(line).toBe('exp-a: broken at seq 10 (audit-checkpoint:exp-a): seq 10..12 missing; 9 records before it verify');
  });

  it('says which checkpoint covers the chain and how many records are past it, or that checkpoints were not checked', () => {
    const checkpoint = { seq: 8, hash: 'a'.repeat(64), keyId: 'audit-1', ts: 0 };
    expect(describeVerdict({ ...base, ok: true, count: 10, checkpoint, notYetCheckpointed: 2 })).toBe(
      'exp-a: the chain verifies (10 records; signed checkpoint at seq 8 by audit-1 (1970-01-01T00:00:00.000Z); 2 records past it not yet checkpointed (hash-verified only))',
    );
    expect(describeVerdict({ ...base, ok: true, count: 3, checkpoint: null, notYetCheckpointed: 3 })).toMatch(/no signed checkpoint yet; 3 records past it/);
    expect(describeVerdict({ ...base, ok: true, count: 3, checkpoint: null, checkpointsChecked: false })).toBe(
      'exp-a: the hash chain verifies (3 records); checkpoints not checked',
    );
  });
});
