import { type VerdictMark } from '@penumbra/aggregates';

export const DECIDED_PATHS_DEFAULTS = {
  /** How long an experiment's decided paths are reused before they are read again. @default 2000 */
  ttlMs: 2000,
  /** Experiments whose decided paths are held at once; the oldest read is dropped past it. @default 1000 */
  maxExperiments: 1000,
} as const;

/**
 * The decided paths of each experiment, read at most once per `ttlMs`: the verdicts change at the
 * aggregator's snapshot pace, not per batch. Bounded, so experiment ids that come and go cannot grow it.
 */
export function cachedDecidedPaths(
  read: (experimentId: string) => Promise<Map<string, VerdictMark>>,
  options: { ttlMs?: number; maxExperiments?: number; clock?: () => number } = {},
): (experimentId: string) => Promise<Map<string, VerdictMark>> {
  const ttlMs = options.ttlMs ?? DECIDED_PATHS_DEFAULTS.ttlMs;
  const max = options.maxExperiments ?? DECIDED_PATHS_DEFAULTS.maxExperiments;
  const clock = options.clock ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<Map<string, VerdictMark>> }>();
  return (experimentId) => {
    const now = clock();
    const hit = cache.get(experimentId);
    if (hit && now - hit.at < ttlMs) return hit.value;
    const value = read(experimentId);
    cache.delete(experimentId);
    cache.set(experimentId, { at: now, value });
    // A failed read is not kept: the next batch tries again.
    value.catch(() => cache.get(experimentId)?.value === value && cache.delete(experimentId));
    while (cache.size > max) cache.delete(cache.keys().next().value as string);
    return value;
  };
}
