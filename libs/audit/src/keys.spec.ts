import { GLOBAL_AUDIT_STREAM } from '@penumbra/contracts';
import { auditKey, auditPartition, streamOf } from './keys';

describe('audit keys and partitions', () => {
  it('derives the key from the source coordinates, so a redelivery gets the same key', () => {
    expect(auditKey('shadow.commands', 3, '42')).toBe('shadow.commands:3:42');
    expect(auditKey('shadow.commands', 3, '42')).toBe(auditKey('shadow.commands', 3, '42'));
    expect(auditKey('shadow.commands', 3, '43')).not.toBe(auditKey('shadow.commands', 3, '42'));
  });

  it('puts an experiment in one stable partition within range, and spreads experiments', () => {
    const ids = Array.from({ length: 600 }, (_, i) => `exp-${i}`);
    const used = new Map<number, number>();
    for (const id of ids) {
      const p = auditPartition(id, 6);
      expect(p).toBe(auditPartition(id, 6));
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(6);
      used.set(p, (used.get(p) ?? 0) + 1);
    }
    expect(used.size).toBe(6);
    for (const count of used.values()) expect(count).toBeGreaterThan(50);
    expect(auditPartition('checkout-v2', 1)).toBe(0);
    expect(() => auditPartition('x', 0)).toThrow(RangeError);
  });

  it('chains events without a valid experiment id under the global stream', () => {
    expect(streamOf('checkout-v2')).toBe('checkout-v2');
    expect(streamOf(undefined)).toBe(GLOBAL_AUDIT_STREAM);
    expect(streamOf('Not Valid!')).toBe(GLOBAL_AUDIT_STREAM);
  });
});
