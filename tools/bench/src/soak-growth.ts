/** One sample of a service's process: resident memory and event-loop lag (p99), at `atMs` since the start. */
export interface ProcessSample {
  atMs: number;
  rssBytes: number;
  lagP99Ms: number;
}

export interface Growth {
  /** Median RSS over the first minute after warm-up and over the last minute of the run. */
  rssStartBytes: number;
  rssEndBytes: number;
  /** (end - start) / start, as a fraction. */
  rssGrowth: number;
  lagP99StartMs: number;
  lagP99EndMs: number;
  samples: number;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Growth after warm-up: samples before `warmUpMs` are dropped (JIT, pools and caches filling up);
 * medians of the first and of the last `spanMs` of what remains are compared, so that one GC
 * cycle's peak does not read as growth.
 */
export function growthAfterWarmUp(samples: ProcessSample[], warmUpMs: number, spanMs: number): Growth {
  const steady = samples.filter((s) => s.atMs >= warmUpMs).sort((a, b) => a.atMs - b.atMs);
  if (steady.length < 2) throw new Error(`${steady.length} samples after a warm-up of ${warmUpMs} ms: run longer or sample more often`);
  const firstAt = steady[0]!.atMs;
  const lastAt = steady[steady.length - 1]!.atMs;
  const head = steady.filter((s) => s.atMs <= firstAt + spanMs);
  const tail = steady.filter((s) => s.atMs >= lastAt - spanMs);
  const rssStartBytes = median(head.map((s) => s.rssBytes));
  const rssEndBytes = median(tail.map((s) => s.rssBytes));
  return {
    rssStartBytes,
    rssEndBytes,
    rssGrowth: (rssEndBytes - rssStartBytes) / rssStartBytes,
    lagP99StartMs: median(head.map((s) => s.lagP99Ms)),
    lagP99EndMs: median(tail.map((s) => s.lagP99Ms)),
    samples: steady.length,
  };
}

/** Reads one sample from a prom-client exposition (`process_resident_memory_bytes`, `nodejs_eventloop_lag_p99_seconds`). */
export function sampleFromMetrics(text: string, atMs: number): ProcessSample {
  const value = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    if (line === undefined) throw new Error(`no ${name} in the metrics`);
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return { atMs, rssBytes: value('process_resident_memory_bytes'), lagP99Ms: value('nodejs_eventloop_lag_p99_seconds') * 1000 };
}
