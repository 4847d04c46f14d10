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

/** Counts replays in flight against a cap. */
export class InFlightLimit {
  private current = 0;

  constructor(private readonly max: number) {}

  get inFlight(): number {
    return this.current;
  }

  tryAcquire(): boolean {
    if (this.current >= this.max) return false;
    this.current += 1;
    return true;
  }

  release(): void {
    this.current = Math.max(0, this.current - 1);
  }
}
