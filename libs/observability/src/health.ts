export interface CheckResult {
  ok: boolean;
  detail?: string;
}

export type ReadinessCheck = () => Promise<CheckResult> | CheckResult;

export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, CheckResult>;
}

/** Named readiness checks (Kafka, Redis…), each bounded in time so /health never hangs. */
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly liveChecks = new Map<string, () => CheckResult>();

  constructor(private readonly timeoutMs = 2000) {}

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /**
   * A liveness check: false only when the process cannot recover by itself (a consumer that
   * stopped for good), so the supervisor restarts it. Synchronous and cheap.
   */
  registerLiveness(name: string, check: () => CheckResult): void {
    this.liveChecks.set(name, check);
  }

  liveness(): HealthReport {
    const checks: Record<string, CheckResult> = {};
    for (const [name, check] of this.liveChecks) {
      try {
        checks[name] = check();
      } catch (err) {
        checks[name] = { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    }
    return { status: Object.values(checks).every((r) => r.ok) ? 'ok' : 'unavailable', checks };
  }

  async readiness(): Promise<HealthReport> {
    const entries = await Promise.all([...this.checks].map(async ([name, check]) => [name, await this.runBounded(check)] as const));
    const checks = Object.fromEntries(entries);
    return { status: entries.every(([, r]) => r.ok) ? 'ok' : 'unavailable', checks };
  }

  private async runBounded(check: ReadinessCheck): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${this.timeoutMs} ms` }), this.timeoutMs);
    });
    try {
      return await Promise.race([Promise.resolve().then(check), timeout]);
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}
