/** What an exactness check found: ids never seen, ids seen more than once, ids that were never fed. */
export interface Exactness {
  exact: boolean;
  expected: number;
  seen: number;
  missing: string[];
  duplicated: Array<{ id: string; times: number }>;
  unexpected: string[];
}

/**
 * Compares the ids that came out of a stage (one entry per output record, repeats kept) with the
 * ids fed to it: exact when every fed id came out once and nothing else came out. Lists are cut
 * to the first ten of each kind so a report stays readable.
 */
export function checkExactlyOnce(fed: Iterable<string>, out: Iterable<string>): Exactness {
  const expected = new Set(fed);
  const times = new Map<string, number>();
  let seen = 0;
  for (const id of out) {
    times.set(id, (times.get(id) ?? 0) + 1);
    seen += 1;
  }
  const missing = [...expected].filter((id) => !times.has(id));
  const duplicated = [...times].filter(([, n]) => n > 1).map(([id, n]) => ({ id, times: n }));
  const unexpected = [...times.keys()].filter((id) => !expected.has(id));
  return {
    exact: missing.length === 0 && duplicated.length === 0 && unexpected.length === 0,
    expected: expected.size,
    seen,
    missing: missing.slice(0, 10),
    duplicated: duplicated.slice(0, 10),
    unexpected: unexpected.slice(0, 10),
  };
}

/** Compares totals that are only visible as sums (the aggregator's windows): exact when equal. */
export function checkTotals(fed: Record<string, number>, counted: Record<string, number>): { exact: boolean; differences: Record<string, { fed: number; counted: number }> } {
  const differences: Record<string, { fed: number; counted: number }> = {};
  for (const key of new Set([...Object.keys(fed), ...Object.keys(counted)])) {
    const f = fed[key] ?? 0;
    const c = counted[key] ?? 0;
    if (f !== c) differences[key] = { fed: f, counted: c };
  }
  return { exact: Object.keys(differences).length === 0, differences };
}

/** What a second replica adds: the speed-up, and the gain per added core when replicas outnumber the cores. */
export function scaleGain(oneReplica: number, twoReplicas: number, cores: number): { speedUp: number; perAddedCore: number } {
  const speedUp = twoReplicas / oneReplica;
  // Two replicas can use at most min(2, cores) cores; the fleet's other processes share them too.
  const addedCores = Math.max(1, Math.min(2, cores) - 1);
  return { speedUp, perAddedCore: (speedUp - 1) / addedCores };
}
