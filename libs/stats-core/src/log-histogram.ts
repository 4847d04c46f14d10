import { type LatencyHistogram } from '@penumbra/contracts';

/** Values at or below this count as zero (latencies are in milliseconds). */
const MIN_INDEXABLE = 1e-6;

export const DEFAULT_ALPHA = 0.01;

/**
 * A mergeable log-bucketed histogram (DDSketch): bucket i holds values in (γ^(i-1), γ^i] with
 * γ = (1 + α) / (1 − α), so any quantile is answered within relative error α, and two histograms
 * merge by adding their buckets (and so do Redis hashes of them).
 */
export class LogHistogram {
  readonly gamma: number;
  private readonly logGamma: number;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  zeroCount = 0;
  readonly bins = new Map<number, number>();

  constructor(readonly alpha = DEFAULT_ALPHA) {
    if (!(alpha > 0 && alpha < 1)) throw new RangeError('alpha must be between 0 and 1');
    this.gamma = (1 + alpha) / (1 - alpha);
    this.logGamma = Math.log(this.gamma);
  }

  static indexOf(value: number, alpha = DEFAULT_ALPHA): number | undefined {
    if (!(value > MIN_INDEXABLE)) return undefined;
    return Math.ceil(Math.log(value) / Math.log((1 + alpha) / (1 - alpha)));
  }

  add(value: number, times = 1): void {
    if (!Number.isFinite(value) || value < 0 || times <= 0) return;
    this.count += times;
    this.sum += value * times;
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
    if (value <= MIN_INDEXABLE) {
      this.zeroCount += times;
      return;
    }
    const i = Math.ceil(Math.log(value) / this.logGamma);
    this.bins.set(i, (this.bins.get(i) ?? 0) + times);
  }

  merge(other: LogHistogram): this {
    if (other.alpha !== this.alpha) throw new RangeError(`cannot merge histograms of alpha ${this.alpha} and ${other.alpha}`);
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.zeroCount += other.zeroCount;
    for (const [i, n] of other.bins) this.bins.set(i, (this.bins.get(i) ?? 0) + n);
    return this;
  }

  /** The q-quantile (0 ≤ q ≤ 1) within relative error alpha; undefined when empty. */
  quantile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = Math.floor(Math.min(1, Math.max(0, q)) * (this.count - 1));
    if (rank < this.zeroCount) return 0;
    let seen = this.zeroCount;
    const indexes = [...this.bins.keys()].sort((a, b) => a - b);
    for (const i of indexes) {
      seen += this.bins.get(i) ?? 0;
      if (seen > rank) {
        const estimate = (2 * this.gamma ** i) / (this.gamma + 1);
        return Math.min(this.max, Math.max(this.min, estimate));
      }
    }
    return this.max;
  }

  mean(): number | undefined {
    return this.count === 0 ? undefined : this.sum / this.count;
  }

  toJSON(): LatencyHistogram {
    return {
      alpha: this.alpha,
      count: this.count,
      sum: this.sum,
      min: this.count === 0 ? null : this.min,
      max: this.count === 0 ? null : this.max,
      zeroCount: this.zeroCount,
      bins: Object.fromEntries([...this.bins].map(([i, n]) => [String(i), n])),
    };
  }

  static fromJSON(h: LatencyHistogram): LogHistogram {
    const out = new LogHistogram(h.alpha);
    out.count = h.count;
    out.sum = h.sum;
    out.min = h.min ?? Infinity;
    out.max = h.max ?? -Infinity;
    out.zeroCount = h.zeroCount;
    for (const [i, n] of Object.entries(h.bins)) out.bins.set(Number(i), n);
    return out;
  }
}
