import { ALL_SLICES, type AggregateSnapshot, type MetricSummary, isReplaySliceKey } from '@penumbra/contracts';
import { LogHistogram } from '@penumbra/stats-core';
import { type EvidenceInput, type LatencySummary, NO_LATENCY, emptyEvidence } from './evidence';

function summaryOf(h: LogHistogram): LatencySummary {
  if (h.count === 0) return NO_LATENCY;
  return { count: h.count, p50: h.quantile(0.5) ?? null, p90: h.quantile(0.9) ?? null, p99: h.quantile(0.99) ?? null };
}

/** Evidence from merged histograms and counts, as both the service and the simulator build it. */
export function evidenceFromParts(parts: {
  counts: EvidenceInput['counts'];
  primary: LogHistogram;
  candidate: LogHistogram;
  secondary: LogHistogram;
  metrics: Record<string, MetricSummary>;
  window?: { start: number; end: number };
}): EvidenceInput {
  return {
    counts: parts.counts,
    latency: { primary: summaryOf(parts.primary), candidate: summaryOf(parts.candidate), secondary: summaryOf(parts.secondary) },
    metrics: parts.metrics,
    ...(parts.window ? { window: parts.window } : {}),
  };
}

/**
 * Aggregate snapshots held by window: a later snapshot of the same window (partial, then closed)
 * replaces the earlier one, and any range of windows merges into one piece of evidence.
 */
export class SnapshotLedger {
  private readonly windows = new Map<string, Map<number, AggregateSnapshot>>();

  constructor(private readonly maxWindowsPerSlice = 100_000) {}

  add(s: AggregateSnapshot): void {
    let bySlice = this.windows.get(s.sliceKey);
    if (bySlice === undefined) {
      bySlice = new Map();
      this.windows.set(s.sliceKey, bySlice);
    }
    const prev = bySlice.get(s.window.start);
    if (prev === undefined || s.ts >= prev.ts) bySlice.set(s.window.start, s);
    if (bySlice.size > this.maxWindowsPerSlice) {
      const oldest = Math.min(...bySlice.keys());
      bySlice.delete(oldest);
    }
  }

  has(sliceKey: string): boolean {
    return (this.windows.get(sliceKey)?.size ?? 0) > 0;
  }

  slices(): string[] {
    return [...this.windows.keys()].filter((k) => k !== ALL_SLICES && !isReplaySliceKey(k));
  }

  /** Merged evidence of the windows that end after `from` (the window holding `from` included). */
  evidence(sliceKey: string, from: number): EvidenceInput {
    const picked = [...(this.windows.get(sliceKey)?.values() ?? [])].filter((s) => s.window.end > from).sort((a, b) => a.window.start - b.window.start);
    if (picked.length === 0) return emptyEvidence();
    const base = emptyEvidence();
    const alpha = (picked[0] as AggregateSnapshot).latency.primary.alpha;
    const sides = { primary: new LogHistogram(alpha), candidate: new LogHistogram(alpha), secondary: new LogHistogram(alpha) };
    const metrics: Record<string, MetricSummary> = {};
    for (const s of picked) {
      for (const [k, v] of Object.entries(s.counts) as Array<[keyof EvidenceInput['counts'], number]>) base.counts[k] += v;
      sides.primary.merge(LogHistogram.fromJSON(s.latency.primary));
      sides.candidate.merge(LogHistogram.fromJSON(s.latency.candidate));
      if (s.latency.secondary) sides.secondary.merge(LogHistogram.fromJSON(s.latency.secondary));
      for (const [name, m] of Object.entries(s.metrics)) {
        const prev = metrics[name];
        metrics[name] =
          prev === undefined ? { ...m } : { count: prev.count + m.count, sum: prev.sum + m.sum, min: Math.min(prev.min, m.min), max: Math.max(prev.max, m.max), last: m.last };
      }
    }
    const last = picked[picked.length - 1] as AggregateSnapshot;
    return evidenceFromParts({ counts: base.counts, ...sides, metrics, window: { start: (picked[0] as AggregateSnapshot).window.start, end: last.window.end } });
  }
}
