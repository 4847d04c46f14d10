import { Adaptive } from './adaptive';

interface Policy {
  readonly generation: number;
  /** Always equal to generation: a torn value would show two different numbers. */
  readonly check: number;
  readonly limits: readonly number[];
}

const policy = (generation: number): Policy => Object.freeze({ generation, check: generation, limits: Object.freeze(Array.from({ length: 64 }, () => generation)) });

describe('Adaptive', () => {
  it('serves the primary, offers the shadow, and promotes it atomically keeping a snapshot', () => {
    const a = new Adaptive(policy(1), policy(2));
    expect(a.get().generation).toBe(1);
    expect(a.shadow()?.generation).toBe(2);
    expect(a.promoteShadow()).toBe(true);
    expect(a.get().generation).toBe(2);
    expect(a.shadow()).toBeUndefined();
    expect(a.read().snapshot?.generation).toBe(1);
    expect(a.promoteShadow()).toBe(false);
  });

  it('rolls back after a promotion to the former primary, and the demoted value is the shadow again', () => {
    const a = new Adaptive(policy(1), policy(2));
    a.promoteShadow();
    expect(a.rollback()).toBe(true);
    expect(a.get().generation).toBe(1);
    expect(a.shadow()?.generation).toBe(2);
    expect(a.read().snapshot).toBeUndefined();
    expect(a.rollback()).toBe(false);
    expect(a.get().generation).toBe(1);
  });

  it('disables the shadow on a kill, restoring the primary if a promotion had replaced it', () => {
    const a = new Adaptive(policy(1), policy(2));
    a.promoteShadow();
    a.disableShadow();
    expect(a.get().generation).toBe(1);
    expect(a.shadow()).toBeUndefined();
    expect(a.read().shadowEnabled).toBe(false);
    expect(a.sides()).toEqual({ primary: a.get(), shadow: undefined });
    expect(a.promoteShadow()).toBe(false);
    a.setShadow(policy(3));
    expect(a.shadow()?.generation).toBe(3);
  });

  it('never lets concurrent readers see a torn or mixed value while it is swapped', async () => {
    const a = new Adaptive(policy(0), policy(1));
    let generation = 1;
    let stop = false;
    const seen = new Set<number>();
    const violations: string[] = [];
    const reader = async (id: number) => {
      let reads = 0;
      while (!stop) {
        const v = a.get();
        if (v.generation !== v.check || v.limits.some((l) => l !== v.generation)) violations.push(`reader ${id}: torn value ${JSON.stringify(v)}`);
        const s = a.read();
        // One state: the shadow on offer is always the generation after the primary, or none just after a promotion.
        if (s.shadow !== undefined && s.shadow.generation !== s.primary.generation + 1)
          violations.push(`reader ${id}: primary ${s.primary.generation} with shadow ${s.shadow.generation}`);
        if (s.snapshot !== undefined && s.snapshot.generation !== s.primary.generation - 1)
          violations.push(`reader ${id}: primary ${s.primary.generation} with snapshot ${s.snapshot.generation}`);
        seen.add(v.generation);
        reads += 1;
        if (reads % 7 === 0) await new Promise((r) => setImmediate(r));
        else await Promise.resolve();
      }
      return reads;
    };
    const writer = async () => {
      for (let i = 0; i < 500; i += 1) {
        a.promoteShadow();
        await Promise.resolve();
        if (i % 10 === 3) {
          a.rollback();
          a.promoteShadow();
        }
        generation += 1;
        a.setShadow(policy(generation));
        if (i % 3 === 0) await new Promise((r) => setImmediate(r));
      }
      stop = true;
    };
    const [counts] = await Promise.all([Promise.all(Array.from({ length: 8 }, (_, i) => reader(i))), writer()]);
    expect(violations).toEqual([]);
    expect(counts.every((n) => n > 0)).toBe(true);
    expect(seen.size).toBeGreaterThan(50);
    expect(a.get().generation).toBe(500);
  });
});
