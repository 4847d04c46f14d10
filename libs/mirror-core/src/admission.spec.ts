import { InFlightLimit, TokenBucket } from './admission';

describe('TokenBucket', () => {
  it('allows a burst, then the sustained rate', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0)]).toEqual([true, true, true, false]);
    expect(bucket.waitMs(0)).toBe(100);
    expect(bucket.tryTake(100)).toBe(true);
    expect(bucket.tryTake(150)).toBe(false);
    let granted = 0;
    for (let t = 200; t <= 10_200; t += 10) if (bucket.tryTake(t)) granted += 1;
    expect(granted).toBeGreaterThanOrEqual(99);
    expect(granted).toBeLessThanOrEqual(104);
  });
});

describe('InFlightLimit', () => {
  it('admits up to its cap and again after a release', () => {
    const limit = new InFlightLimit(2);
    expect([limit.tryAcquire(), limit.tryAcquire(), limit.tryAcquire()]).toEqual([true, true, false]);
    limit.release();
    expect(limit.tryAcquire()).toBe(true);
    expect(limit.inFlight).toBe(2);
  });
});
