import { type ExperimentSpec } from '@penumbra/contracts';
import { type AlertDraft } from './state';

/**
 * The warning for an experiment decided per slice whose aggregates carry only the "*" rollup:
 * no slice is ever decided, so it would otherwise wait silently forever.
 */
export function noSliceWarning(spec: ExperimentSpec): string {
  const attributes = spec.slices.attributes.join(', ');
  return `decisions are per slice of ${attributes} (slices.decidePerSlice), but the aggregates carry only the "*" rollup and no slice: nothing is promoted or rolled back; make the capture set ${attributes} on every record, or set decidePerSlice to false`;
}

/** The same, as an alert raised at most once an hour. */
export function noSliceAlert(spec: ExperimentSpec, now: number): AlertDraft {
  return {
    kind: 'gate-warning',
    severity: 'warning',
    message: noSliceWarning(spec),
    dedupeKey: `no-slices:${Math.floor(now / 3_600_000)}`,
    details: { attributes: spec.slices.attributes },
  };
}
