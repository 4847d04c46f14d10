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

describe('InFlightLimit waiting', () => {
  it('hands a released slot to the first waiter', async () => {
    const limit = new InFlightLimit(1);
    expect(await limit.acquire(0)).toBe(true);
    const second = limit.acquire(1000);
    const third = limit.acquire(1000);
    limit.release();
    expect(await second).toBe(true);
    expect(limit.waiting).toBe(1);
    limit.release();
    expect(await third).toBe(true);
    expect(limit.inFlight).toBe(1);
  });

  it('gives up after the wait and leaves no waiter behind', async () => {
    const limit = new InFlightLimit(1);
    limit.tryAcquire();
    expect(await limit.acquire(10)).toBe(false);
    expect(limit.waiting).toBe(0);
    limit.release();
    expect(limit.inFlight).toBe(0);
  });
});
