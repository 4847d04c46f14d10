export interface LoadStats {
  sent: number;
  ok: number;
  failed: number;
}

const TENANTS = ['acme', 'globex', 'initech', 'umbrella'];

/** The mix of requests a shop sees: products, orders, users and searches, from four tenants. */
export function nextRequest(i: number): { path: string; tenant: string } {
  const id = (i * 37) % 500;
  const paths = [`/products/${id}`, `/orders/${id}`, `/users/${id}`, `/search?q=${['la', 'de', 'so', 'ch'][i % 4] ?? 'la'}`];
  return { path: paths[i % paths.length] ?? '/products/1', tenant: TENANTS[i % TENANTS.length] ?? 'acme' };
}

/**
 * Sends requests at a steady rate through the capture tee, with a bounded number in flight, until
 * stopped. Production traffic in miniature: nothing waits on the shadow side.
 */
export class LoadGenerator {
  readonly stats: LoadStats = { sent: 0, ok: 0, failed: 0 };
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly ratePerSec: number,
    private readonly maxInFlight = 32,
  ) {}

  start(): void {
    const tickMs = 20;
    const perTick = this.ratePerSec / (1000 / tickMs);
    let credit = 0;
    this.timer = setInterval(() => {
      credit += perTick;
      while (credit >= 1 && this.inFlight < this.maxInFlight) {
        credit -= 1;
        this.fire(this.stats.sent);
      }
      // At most a few ticks of backlog, but never less than one request, or a slow rate never fires.
      credit = Math.min(credit, Math.max(1, perTick * 5));
    }, tickMs);
  }

  private fire(i: number): void {
    const { path, tenant } = nextRequest(i);
    this.stats.sent += 1;
    this.inFlight += 1;
    fetch(`${this.baseUrl}${path}`, { headers: { 'x-tenant': tenant }, signal: AbortSignal.timeout(5_000) })
      .then(async (r) => {
        await r.arrayBuffer();
        this.stats.ok += 1;
      })
      .catch(() => {
        this.stats.failed += 1;
      })
      .finally(() => {
        this.inFlight -= 1;
      });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + 5_000;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}
