import fc from 'fast-check';
import { isSampled, samplingKeyOf, samplingPoint } from './sampling';

const record = (id: string, attributes: Record<string, string> = {}, headers: Record<string, string> = {}) => ({
  id,
  attributes,
  request: { method: 'GET' as const, path: '/', query: '', headers },
});

describe('sampling', () => {
  it('gives the same answer for the same experiment and key, every time', () => {
    fc.assert(fc.property(fc.string(), fc.string(), fc.double({ min: 0, max: 1, noNaN: true }), (e, k, r) => isSampled(e, k, r) === isSampled(e, k, r)));
  });

  it('samples close to the configured rate', () => {
    const n = 20_000;
    let inside = 0;
    for (let i = 0; i < n; i += 1) if (isSampled('exp', `id:${i}`, 0.3)) inside += 1;
    const sd = Math.sqrt(n * 0.3 * 0.7);
    expect(Math.abs(inside - n * 0.3)).toBeLessThan(4 * sd);
  });

  it('keeps a tenant in or out as a whole when keyed by attribute', () => {
    const key = { source: 'attribute' as const, name: 'tenant' };
    for (const tenant of ['acme', 'globex', 'initech', 'umbrella']) {
      const answers = new Set(Array.from({ length: 50 }, (_, i) => isSampled('exp', samplingKeyOf(record(`r${i}`, { tenant }), key), 0.5)));
      expect(answers.size).toBe(1);
    }
  });

  it('is monotone in the rate: raising it only adds keys', () => {
    fc.assert(
      fc.property(fc.string(), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (k, a, b) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        return !isSampled('e', k, lo) || isSampled('e', k, hi);
      }),
    );
  });

  it('samples experiments independently', () => {
    const same = Array.from({ length: 2000 }, (_, i) => isSampled('a', `id:${i}`, 0.5) === isSampled('b', `id:${i}`, 0.5)).filter(Boolean).length;
    expect(same).toBeGreaterThan(850);
    expect(same).toBeLessThan(1150);
  });

  it('reads headers and falls back to the record id when the key is absent', () => {
    expect(samplingKeyOf(record('r1', {}, { 'x-user': 'u7' }), { source: 'header', name: 'x-user' })).toBe('header:u7');
    expect(samplingKeyOf(record('r1'), { source: 'attribute', name: 'tenant' })).toBe('id:r1');
    expect(samplingKeyOf({ ...record('r1'), sessionKey: 's' }, { source: 'session' })).toBe('session:s');
    expect(samplingPoint('e', 'k')).toBeGreaterThanOrEqual(0);
  });
});
