import { z } from 'zod';
import { epochMs, eventId, experimentId, side, sliceValues } from './common';

export const CUSTOM_METRIC_NAME_PATTERN = '[A-Za-z_][A-Za-z0-9_-]{0,99}';
export const customMetricName = z.string().regex(new RegExp(`^${CUSTOM_METRIC_NAME_PATTERN}$`), 'must be a letter or "_" then up to 99 letters, digits, "_" or "-"');

/** Far beyond any domain metric; the sum of a billion such values is still a finite double. */
export const MAX_METRIC_MAGNITUDE = 1e15;

/** Domain evidence that is not a response diff: precision, missed true positives, paper P&L… */
export const metricObservationSchema = z.object({
  type: z.literal('metric.v1'),
  id: eventId,
  ts: epochMs,
  experimentId,
  slice: sliceValues.default({}),
  name: customMetricName,
  value: z
    .number()
    .refine(Number.isFinite, 'must be a finite number')
    .refine((v) => Math.abs(v) <= MAX_METRIC_MAGNITUDE, 'must be within ±1e15, so that window sums stay finite'),
  side: side.default('candidate'),
});
export type MetricObservation = z.infer<typeof metricObservationSchema>;

/**
 * The traffic-mirror's per-experiment counts, published as candidate-side metric observations so
 * the aggregator rolls them up like any other: records in the target, records mirrored into a pair,
 * and records skipped (in total and per reason, as `mirror_skipped_<reason>`).
 */
export const MIRROR_COUNT_METRICS = { matched: 'mirror_matched', mirrored: 'mirror_mirrored', skipped: 'mirror_skipped' } as const;
export const MIRROR_METRIC_PREFIX = 'mirror_';
