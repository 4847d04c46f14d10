import { cachedDecidedPaths } from './decided-paths';

describe('cachedDecidedPaths', () => {
  it('reads each experiment at most once per ttl, stays bounded, and retries a failed read', async () => {
    let now = 0;
    const reads: string[] = [];
    let fail = false;
    const read = async (id: string) => {
      reads.push(id);
      if (fail) throw new RangeError('redis away');
      return new Map([[`${id}\t$.a`, 'noise' as const]]);
    };
    const decided = cachedDecidedPaths(read, { ttlMs: 1000, maxExperiments: 2, clock: () => now });
    await decided('a');
    await decided('a');
    expect(reads).toEqual(['a']);
    now = 1500;
    expect((await decided('a')).get('a\t$.a')).toBe('noise');
    await decided('b');
    await decided('c');
    await decided('a');
    expect(reads).toEqual(['a', 'a', 'b', 'c', 'a']);
    fail = true;
    now = 5000;
    await expect(decided('d')).rejects.toThrow('redis away');
    fail = false;
    await expect(decided('d')).resolves.toBeInstanceOf(Map);
  });
});
