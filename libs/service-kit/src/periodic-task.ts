/**
 * Work a service repeats on a timer (snapshots, evaluations): one run at a time, a run that is
 * still going when the next is due is not doubled, and `stop` waits for the run in hand. Stopped
 * in `beforeApplicationShutdown`, so no run touches the consumers while the transport drains.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly run: () => Promise<void>) {}

  start(intervalMs: number): void {
    this.timer ??= setInterval(() => {
      this.running ??= this.run().finally(() => (this.running = undefined));
    }, intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
