import { type SliceAdmission } from './slice-admission';
import { type EventOps, type WindowKeys, diffEventOps, metricOps } from './window-ops';
import { type DiffEvent, type MetricObservation } from '@penumbra/contracts';
import { type BatchHandler, type BatchOutcome } from '@penumbra/kafka';
import { type SliceCapAlerts } from './slice-cap-alerts';
import { type SnapshotScheduler } from './snapshot-scheduler';

export type AggregateInput = DiffEvent | MetricObservation;

export interface AggregateStore {
  readonly options: WindowKeys;
  offsetKey(group: string, topic: string, partition: number): string;
  apply(offsetKey: string, events: EventOps[]): Promise<number>;
}

export interface AggregateHandlerDeps {
  group: string;
  store: AggregateStore;
  snapshots: Pick<SnapshotScheduler, 'touch'>;
  /** Caps the slices per experiment; past the cap an event counts in the experiment's (other) slice. */
  slices: Pick<SliceAdmission, 'apply'>;
  sliceAlerts: Pick<SliceCapAlerts, 'count'>;
  histogramAlpha: number;
  /** Events stamped further ahead than this are dead-lettered: their windows would never close. */
  maxFutureSkewMs: number;
  /** Events older than this are dead-lettered; unset, old events are kept (a rebuild replays them). */
  maxAgeMs?: number | undefined;
  clock?: () => number;
}

/**
 * Applies diff events and metric observations to their windows; a timestamp outside the skew
 * window is dead-lettered, and a slice past the experiment's cap counts in its (other) slice.
 */
export function aggregateHandler(deps: AggregateHandlerDeps): BatchHandler<AggregateInput> {
  const clock = deps.clock ?? Date.now;
  return async (records, batch) => {
    const now = clock();
    const rejected: NonNullable<BatchOutcome['rejected']> = [];
    const accepted = records.filter((r) => {
      const ts = r.value.ts;
      if (ts > now + deps.maxFutureSkewMs)
        rejected.push({ offset: r.offset, errorClass: 'skew', reason: `ts ${ts} is more than ${deps.maxFutureSkewMs} ms ahead of now (${now})` });
      else if (deps.maxAgeMs !== undefined && ts < now - deps.maxAgeMs)
        rejected.push({ offset: r.offset, errorClass: 'skew', reason: `ts ${ts} is older than the ${deps.maxAgeMs} ms the windows are kept` });
      else return true;
      return false;
    });
    const keys = deps.store.options;
    const capped = await deps.slices.apply(accepted.map((r) => r.value));
    const ops: EventOps[] = capped.events.map((e, i) => {
      const offset = accepted[i]?.offset ?? '';
      return e.type === 'diff.v1' ? diffEventOps(e, offset, keys, deps.histogramAlpha) : metricOps(e, offset, keys);
    });
    await deps.store.apply(deps.store.offsetKey(deps.group, batch.topic, batch.partition), ops);
    deps.sliceAlerts.count(capped.refused);
    const sliceAt = new Map(capped.events.map((e, i) => [accepted[i]?.offset, e.slice]));
    for (const o of ops) for (const w of o.windows) deps.snapshots.touch(w.experimentId, w.sliceKey, w.sliceKey === '*' ? {} : (sliceAt.get(o.offset) ?? {}), w.start);
    return { rejected };
  };
}
