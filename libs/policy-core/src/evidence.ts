import { type PathEvidenceInput } from './path-gates';
import { type AggregateCounts, type BuiltinMetric, MIRROR_COUNT_METRICS, MIRROR_METRIC_PREFIX, type MetricSummary } from '@penumbra/contracts';

export interface LatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/** What the engine judges a stage on: the merged aggregates since the stage began. */
export interface EvidenceInput {
  counts: AggregateCounts;
  latency: { primary: LatencySummary; candidate: LatencySummary; secondary: LatencySummary };
  /** The candidate's custom metric summaries by name, as snapshots carry them. */
  metrics: Record<string, MetricSummary>;
  window?: { start: number; end: number };
  /** The experiment's per-path paired counts, read when a gate needs them. */
  paths?: PathEvidenceInput;
}

export const NO_LATENCY: LatencySummary = { count: 0, p50: null, p90: null, p99: null };

export function emptyEvidence(): EvidenceInput {
  return {
    counts: { pairs: 0, match: 0, mismatch: 0, candidateErrors: 0, primaryErrors: 0, bothErrors: 0, secondaryErrors: 0, statusMismatches: 0, timeouts: 0, tooLarge: 0, unknown: 0 },
    latency: { primary: NO_LATENCY, candidate: NO_LATENCY, secondary: NO_LATENCY },
    metrics: {},
  };
}

/**
 * The stage's sample count: compared pairs, or, for an experiment that only reports domain
 * metrics (no pairs at all), the observations of its most observed metric.
 */
export function stageSamples(e: EvidenceInput): number {
  if (e.counts.pairs > 0) return e.counts.pairs;
  // The mirror's own counts are bookkeeping, not observations of the candidate.
  return Math.max(0, ...Object.entries(e.metrics).flatMap(([name, m]) => (name.startsWith(MIRROR_METRIC_PREFIX) ? [] : [m.count])));
}

/** Of the captured requests in the experiment's target, the share mirrored into a pair; null before the mirror counted any. */
export function mirrorCoverage(e: Pick<EvidenceInput, 'metrics'>): number | null {
  const matched = e.metrics[MIRROR_COUNT_METRICS.matched]?.sum ?? 0;
  if (matched <= 0) return null;
  return Math.min(1, (e.metrics[MIRROR_COUNT_METRICS.mirrored]?.sum ?? 0) / matched);
}

/** A rate as successes out of trials, so that a confidence bound can judge it. */
export interface RateSample {
  successes: number;
  trials: number;
}

/** The built-in rates, counted per pair. */
export function rateSample(metric: BuiltinMetric, c: AggregateCounts): RateSample | undefined {
  const trials = c.pairs;
  switch (metric) {
    // A pair with a truncated body was neither a match nor a mismatch: it is no trial of either.
    case 'matchRate':
      return { successes: c.match, trials: trials - c.unknown };
    case 'mismatchRate':
      return { successes: c.mismatch, trials: trials - c.unknown };
    case 'statusMatchRate':
      return { successes: c.pairs - c.statusMismatches, trials };
    case 'candidateErrorRate':
      return { successes: c.candidateErrors + c.bothErrors, trials };
    case 'timeoutRate':
      return { successes: c.timeouts, trials };
    case 'errorRateDelta':
    case 'latencyP50Ratio':
    case 'latencyP90Ratio':
    case 'latencyP99Ratio':
    case 'maxExcessDiffRate':
    case 'pathRegressions':
      return undefined;
  }
}

/** The side the candidate is measured against: the secondary when there is one, else the primary. */
export function baselineOf(e: EvidenceInput): 'secondary' | 'primary' {
  return e.latency.secondary.count > 0 ? 'secondary' : 'primary';
}

function ratio(candidate: number | null, baseline: number | null): number | null {
  if (candidate === null || baseline === null) return null;
  if (baseline <= 0) return candidate <= 0 ? 1 : null;
  return candidate / baseline;
}

export function builtinValue(metric: BuiltinMetric, e: EvidenceInput): number | null {
  const rate = rateSample(metric, e.counts);
  if (rate !== undefined) return rate.trials === 0 ? null : rate.successes / rate.trials;
  const c = e.counts;
  const base = baselineOf(e);
  switch (metric) {
    case 'errorRateDelta': {
      if (c.pairs === 0) return null;
      const baselineErrors = base === 'secondary' ? c.secondaryErrors : c.primaryErrors + c.bothErrors;
      return (c.candidateErrors + c.bothErrors - baselineErrors) / c.pairs;
    }
    case 'latencyP50Ratio':
      return ratio(e.latency.candidate.p50, e.latency[base].p50);
    case 'latencyP90Ratio':
      return ratio(e.latency.candidate.p90, e.latency[base].p90);
    case 'latencyP99Ratio':
      return ratio(e.latency.candidate.p99, e.latency[base].p99);
    default:
      return null;
  }
}

/** "precision.last" reads the candidate's summary of "precision"; "mean" is sum / count. */
export function customValue(ref: string, e: EvidenceInput): number | null {
  const dot = ref.lastIndexOf('.');
  const name = ref.slice(0, dot);
  const stat = ref.slice(dot + 1);
  const m = e.metrics[name];
  if (m === undefined || m.count === 0) return null;
  switch (stat) {
    case 'count':
      return m.count;
    case 'sum':
      return m.sum;
    case 'min':
      return m.min;
    case 'max':
      return m.max;
    case 'last':
      return m.last;
    case 'mean':
      return m.sum / m.count;
    default:
      return null;
  }
}

/** Samples each side must hold beyond a latency quantile before a ratio of quantiles is judged. */
export const QUANTILE_TAIL_SAMPLES = 20;

const QUANTILE_OF: Partial<Record<string, number>> = { latencyP50Ratio: 0.5, latencyP90Ratio: 0.9, latencyP99Ratio: 0.99 };

/** The samples a quantile ratio needs on each side: 40 for p50, 200 for p90, 2,000 for p99. */
export function quantileMinimum(metric: string): number {
  const q = QUANTILE_OF[metric];
  return q === undefined ? 0 : Math.ceil(QUANTILE_TAIL_SAMPLES / (1 - q) - 1e-9);
}

/**
 * How many samples a point estimate still lacks before it may be judged: the stage's minimum,
 * and for a ratio of latency quantiles at least QUANTILE_TAIL_SAMPLES beyond the quantile on both
 * the candidate's and the baseline's side (a p99 from 100 samples is its largest value, and two of
 * them differ by 20% in a quarter of A/A comparisons).
 */
export function pointEstimateShortfall(metric: string, e: EvidenceInput, minSamples: number): number {
  const stage = minSamples - stageSamples(e);
  const quantile = quantileMinimum(metric) - Math.min(e.latency.candidate.count, e.latency[baselineOf(e)].count);
  return Math.max(0, stage, quantileMinimum(metric) > 0 ? quantile : 0);
}
