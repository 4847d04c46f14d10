/** A token bucket: `ratePerSec` sustained, bursts up to `burst`. Time comes from the caller. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  tryTake(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available (0 when one is). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.ratePerSec);
    this.last = now;
  }
}

/** Counts replays in flight against a cap; a caller may wait a bounded time for a slot, first come first served. */
export class InFlightLimit {
  private current = 0;
  private readonly waiters: Array<(granted: boolean) => void> = [];

  constructor(private readonly max: number) {}

  get inFlight(): number {
    return this.current;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  tryAcquire(): boolean {
    if (this.current >= this.max || this.waiters.length > 0) return false;
    this.current += 1;
    return true;
  }

  /** Resolves true with a slot, or false once `waitMs` passed without one. */
  acquire(waitMs: number): Promise<boolean> {
    if (this.tryAcquire()) return Promise.resolve(true);
    if (waitMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = (granted: boolean): void => {
        clearTimeout(timer);
        resolve(granted);
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(false);
      }, waitMs);
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next(true);
    else this.current = Math.max(0, this.current - 1);
  }
}
