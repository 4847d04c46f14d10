import { type Alert } from '@penumbra/contracts';

export interface DlqSpikeOptions {
  /** Dead letters from one source topic within `windowMs` that make a spike; 0 turns the check off. */
  threshold: number;
  windowMs: number;
}

interface Rate {
  start: number;
  current: number;
  previous: number;
  alertedAt: number;
}

/**
 * Counts dead letters per source topic over a sliding window (two fixed buckets, the older one
 * weighted by how much of it the window still covers) and yields one dlq-spike alert when the
 * count reaches the threshold, then none for that topic until a window has passed.
 */
export class DlqSpikeDetector {
  private readonly rates = new Map<string, Rate>();

  constructor(
    private readonly o: DlqSpikeOptions,
    private readonly source: string,
  ) {}

  record(topics: string[], now: number): Alert[] {
    if (this.o.threshold <= 0) return [];
    const counts = new Map<string, number>();
    for (const t of topics) counts.set(t, (counts.get(t) ?? 0) + 1);
    const alerts: Alert[] = [];
    for (const [topic, n] of counts) {
      const rate = this.roll(topic, now);
      rate.current += n;
      const inWindow = Math.round(rate.current + rate.previous * (1 - (now - rate.start) / this.o.windowMs));
      if (inWindow < this.o.threshold || now - rate.alertedAt < this.o.windowMs) continue;
      rate.alertedAt = now;
      alerts.push(this.alert(topic, inWindow, now));
    }
    return alerts;
  }

  private roll(topic: string, now: number): Rate {
    const w = this.o.windowMs;
    const start = now - (now % w);
    const rate = this.rates.get(topic) ?? { start, current: 0, previous: 0, alertedAt: Number.NEGATIVE_INFINITY };
    if (start !== rate.start) {
      rate.previous = start - rate.start === w ? rate.current : 0;
      rate.current = 0;
      rate.start = start;
    }
    this.rates.set(topic, rate);
    return rate;
  }

  private alert(topic: string, count: number, now: number): Alert {
    return {
      type: 'alert.v1',
      id: `dlq-spike:${this.source}:${topic}:${now}`.slice(0, 512),
      ts: now,
      severity: 'warning',
      kind: 'dlq-spike',
      source: this.source.slice(0, 200),
      message: `${count} records from ${topic} dead-lettered by ${this.source} within ${this.o.windowMs} ms (threshold ${this.o.threshold})`,
      details: { topic, count, windowMs: this.o.windowMs, threshold: this.o.threshold },
    };
  }
}
