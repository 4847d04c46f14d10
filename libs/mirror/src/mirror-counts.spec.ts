import { metricObservationSchema } from '@penumbra/contracts';
import { MirrorCounts } from './mirror-counts';

describe('MirrorCounts', () => {
  it('drains per-experiment counts as candidate-side metric observations with unique ids, then starts over', () => {
    const counts = new MirrorCounts('i1');
    counts.matched('e');
    counts.matched('e');
    counts.matched('e');
    counts.mirrored('e');
    counts.skipped('e', 'overload');
    counts.skipped('e', 'unsafe-path');
    const first = counts.drain(1_000);
    expect(Object.fromEntries(first.map((o) => [o.name, o.value]))).toEqual({
      mirror_matched: 3,
      mirror_mirrored: 1,
      mirror_skipped: 2,
      mirror_skipped_overload: 1,
      'mirror_skipped_unsafe-path': 1,
    });
    for (const o of first) expect(metricObservationSchema.parse(o)).toMatchObject({ experimentId: 'e', side: 'candidate', ts: 1_000 });
    counts.matched('e');
    const second = counts.drain(2_000);
    expect(new Set([...first, ...second].map((o) => o.id)).size).toBe(first.length + second.length);
    expect(counts.drain(3_000)).toEqual([]);
  });
});
