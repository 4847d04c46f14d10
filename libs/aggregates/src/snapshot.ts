import { type AggregateSnapshot, type PathVerdicts, type SliceValues, aggregateSnapshotSchema } from '@penumbra/contracts';
import { type MergedAggregate } from './window-read';

/**
 * The snapshot of one window for the sentinel. Metric summaries are the candidate side's, under
 * the metric's own name (what gates such as precision.last read); the read API has every side.
 */
export function toSnapshot(
  merged: MergedAggregate,
  slice: SliceValues,
  window: { start: number; end: number; closed: boolean },
  now: number,
  paths?: PathVerdicts,
): AggregateSnapshot {
  const metrics: AggregateSnapshot['metrics'] = {};
  for (const [key, summary] of Object.entries(merged.metrics)) {
    if (key.startsWith('candidate:')) metrics[key.slice('candidate:'.length)] = summary;
  }
  return aggregateSnapshotSchema.parse({
    type: 'aggregate.v1',
    id: `${merged.experimentId}|${merged.sliceKey}|${window.start}|${window.closed ? 'closed' : `partial-${now}`}`,
    ts: now,
    experimentId: merged.experimentId,
    sliceKey: merged.sliceKey,
    slice,
    window,
    counts: merged.counts,
    latency: {
      primary: merged.latency.primary.toJSON(),
      candidate: merged.latency.candidate.toJSON(),
      ...(merged.latency.secondary.count > 0 ? { secondary: merged.latency.secondary.toJSON() } : {}),
    },
    topPaths: merged.topPaths.map((p) => ({ ...p, examples: p.examples.slice(0, 10) })),
    metrics,
    ...(paths ? { paths } : {}),
  });
}
