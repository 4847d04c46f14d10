import { z } from 'zod';
import { epochMs, eventId, experimentId, sliceValues } from './common';
import { customMetricName } from './metric';
import { pathVerdictsSchema } from './path-verdicts';

/**
 * A mergeable log-bucketed latency histogram (DDSketch-style): bucket i holds values in
 * (gamma^(i-1), gamma^i] where gamma = (1 + alpha) / (1 - alpha). Merging is adding counts.
 */
export const latencyHistogramSchema = z.object({
  alpha: z.number().positive().max(0.5),
  count: z.number().int().nonnegative(),
  sum: z.number().nonnegative(),
  min: z.number().nonnegative().nullable(),
  max: z.number().nonnegative().nullable(),
  zeroCount: z.number().int().nonnegative(),
  bins: z.record(z.string().regex(/^-?\d+$/, 'bucket keys are integer indexes'), z.number().int().nonnegative()),
});
export type LatencyHistogram = z.infer<typeof latencyHistogramSchema>;

export const metricSummarySchema = z.object({
  count: z.number().int().nonnegative(),
  sum: z.number(),
  min: z.number(),
  max: z.number(),
  last: z.number(),
});
export type MetricSummary = z.infer<typeof metricSummarySchema>;

export const aggregateCountsSchema = z.object({
  pairs: z.number().int().nonnegative(),
  match: z.number().int().nonnegative(),
  mismatch: z.number().int().nonnegative(),
  candidateErrors: z.number().int().nonnegative(),
  primaryErrors: z.number().int().nonnegative(),
  bothErrors: z.number().int().nonnegative(),
  secondaryErrors: z.number().int().nonnegative().default(0),
  statusMismatches: z.number().int().nonnegative(),
  timeouts: z.number().int().nonnegative(),
  tooLarge: z.number().int().nonnegative().default(0),
  /** Pairs whose comparison involved a truncated body: neither a match nor a mismatch. */
  unknown: z.number().int().nonnegative().default(0),
});
export type AggregateCounts = z.infer<typeof aggregateCountsSchema>;

export const ALL_SLICES = '*';
/**
 * The rollups of replayed evidence, kept out of "*" and out of every slice: a live gate never sees
 * a replayed pair, and only a replay (or corpus) stage reads these.
 */
export const REPLAY_SLICES = { retained: '~replay', corpus: '~corpus' } as const;
export function isReplaySliceKey(sliceKey: string): boolean {
  return sliceKey.startsWith('~');
}

export const aggregateSnapshotSchema = z
  .object({
    type: z.literal('aggregate.v1'),
    id: eventId,
    ts: epochMs,
    experimentId,
    /** "*" for the all-slices rollup, else the canonical slice key (attr=value joined by ","). */
    sliceKey: z.string().min(1).max(1024),
    slice: sliceValues.default({}),
    window: z.object({ start: epochMs, end: epochMs, closed: z.boolean() }),
    counts: aggregateCountsSchema,
    latency: z.object({ primary: latencyHistogramSchema, candidate: latencyHistogramSchema, secondary: latencyHistogramSchema.optional() }),
    topPaths: z
      .array(z.object({ endpoint: z.string().max(1024), path: z.string().max(2048), count: z.number().int().positive(), examples: z.array(z.string().max(1024)).max(10) }))
      .max(100)
      .default([]),
    metrics: z.record(customMetricName, metricSummarySchema).default({}),
    /** On the all-slices and replay rollups: every path's verdict since the experiment began. */
    paths: pathVerdictsSchema.optional(),
  })
  .refine((s) => s.window.end >= s.window.start, { path: ['window', 'end'], message: 'must not be before window.start' });
export type AggregateSnapshot = z.infer<typeof aggregateSnapshotSchema>;

/** Canonical slice key: attributes sorted by name, so { b, a } and { a, b } are one slice. */
export function sliceKeyOf(slice: Record<string, string>): string {
  const names = Object.keys(slice).sort();
  if (names.length === 0) return ALL_SLICES;
  return names.map((n) => `${encodeURIComponent(n)}=${encodeURIComponent(slice[n] ?? '')}`).join(',');
}
