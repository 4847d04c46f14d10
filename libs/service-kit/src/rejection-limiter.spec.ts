import { RejectionLimiter } from './rejection-limiter';

describe('RejectionLimiter', () => {
  it('alerts once per experiment and source per window, then reports how many it held back', () => {
    const limiter = new RejectionLimiter(1000);
    expect(limiter.admit('e', 'mallory', 0)).toEqual({ alert: true, suppressed: 0 });
    for (let i = 1; i <= 500; i += 1) expect(limiter.admit('e', 'mallory', i).alert).toBe(false);
    expect(limiter.admit('e', 'eve', 10)).toEqual({ alert: true, suppressed: 0 });
    expect(limiter.admit('f', 'mallory', 10)).toEqual({ alert: true, suppressed: 0 });
    expect(limiter.admit('e', 'mallory', 1000)).toEqual({ alert: true, suppressed: 500 });
  });

  it('keeps a bounded number of keys', () => {
    const limiter = new RejectionLimiter(60_000, 3);
    for (const source of ['a', 'b', 'c', 'd']) limiter.admit('e', source, 0);
    // "a" was evicted to make room, so it alerts again at once.
    expect(limiter.admit('e', 'a', 1).alert).toBe(true);
    expect(limiter.admit('e', 'd', 1).alert).toBe(false);
  });
});
