import { UnavailableError } from '@penumbra/errors';
import { ALL_SLICES } from '@penumbra/contracts';
import { type RedisClient } from '@penumbra/redis';
import { type PairCounts, type PathEvidence } from '@penumbra/stats-core';
import { unavailableUnless } from './redis-read';
import { PATH_FIELDS, type WindowKeys, pathCountersKey } from './window-ops';

/** An experiment rollup's path counters as the verdicts judge them. */
export interface RollupPathEvidence {
  /** Per path, keyed by its endpoint and template: "<endpoint>\t<path>" in `path`. */
  paths: Array<PathEvidence & { endpoint: string; template: string }>;
  /** Pairs with a secondary of the endpoint with the fewest (a path that never differed is bounded over these). */
  pairs: number | undefined;
  /** Counts refused past the cap, pairs with incomplete indicators, and cells that do not fit their endpoint's pairs. */
  overflow: number;
}

const SEPARATOR = '\t';

/** The name a path is judged and frozen under: its endpoint and template. */
export function pathName(endpoint: string, template: string): string {
  return `${endpoint}${SEPARATOR}${template}`;
}

function parseField(field: string): { cell: 'n' | 'c' | 's' | 'b'; endpoint: string; template?: string } | undefined {
  const cell = field.slice(0, 1);
  if (field.slice(1, 2) !== ':' || !(cell === 'n' || cell === 'c' || cell === 's' || cell === 'b')) return undefined;
  try {
    const v: unknown = JSON.parse(field.slice(2));
    if (cell === 'n') return typeof v === 'string' ? { cell, endpoint: v } : undefined;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return { cell, endpoint: v[0], template: v[1] };
  } catch {
    return undefined;
  }
  return undefined;
}

const count = (v: string | undefined) => {
  const n = Number(v ?? 0);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
};

/**
 * Reads the counters back into evidence. A path whose cells exceed its endpoint's pairs (its
 * endpoint's count was refused at the cap) is left out and counted as overflow, so no bound is
 * ever computed from counts that do not fit.
 */
export function pathEvidenceOf(hash: Record<string, string>, flagged: Record<string, string>): RollupPathEvidence {
  const endpoints = new Map<string, number>();
  const cells = new Map<string, { endpoint: string; template: string; counts: Omit<PairCounts, 'n'> }>();
  for (const [field, value] of Object.entries(hash)) {
    const f = parseField(field);
    if (!f) continue;
    if (f.cell === 'n') {
      endpoints.set(f.endpoint, count(value));
      continue;
    }
    const name = pathName(f.endpoint, f.template as string);
    const entry = cells.get(name) ?? { endpoint: f.endpoint, template: f.template as string, counts: { candidateOnly: 0, secondaryOnly: 0, both: 0 } };
    const cell = f.cell === 'c' ? 'candidateOnly' : f.cell === 's' ? 'secondaryOnly' : 'both';
    entry.counts[cell] = count(value);
    cells.set(name, entry);
  }
  let overflow = count(hash[PATH_FIELDS.overflow]) + count(hash[PATH_FIELDS.incomplete]);
  const paths: RollupPathEvidence['paths'] = [];
  for (const [name, e] of [...cells].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const n = endpoints.get(e.endpoint) ?? 0;
    const counts = { n, ...e.counts };
    if (counts.candidateOnly + counts.secondaryOnly + counts.both > n) {
      overflow += 1;
      continue;
    }
    const frozen = Number(flagged[name]);
    paths.push({ path: name, endpoint: e.endpoint, template: e.template, counts, ...(flagged[name] !== undefined && Number.isFinite(frozen) ? { flaggedLogEValue: frozen } : {}) });
  }
  const pairs = endpoints.size === 0 ? undefined : Math.min(...endpoints.values());
  return { paths, pairs, overflow };
}

/** The path counters of an experiment's rollup: the repository's read. */
export async function readPathEvidence(redis: RedisClient, k: WindowKeys, experimentId: string, rollup: string): Promise<RollupPathEvidence> {
  const key = pathCountersKey(k, experimentId, rollup);
  const [hash, flagged] = await unavailableUnless(`the path counters of ${experimentId}`, () => Promise.all([redis.hgetall(key), redis.hgetall(`${key}:flagged`)]));
  return pathEvidenceOf(hash, flagged);
}

/**
 * Keeps the e-value each path was first judged a regression with (first writer wins, so replicas
 * agree): e-BH over stopped e-processes needs it, and a regression then stays one.
 */
export async function freezeRegressions(
  redis: RedisClient,
  k: WindowKeys & { retentionMs: number },
  experimentId: string,
  rollup: string,
  flagged: Array<{ path: string; logEValue: number }>,
): Promise<void> {
  if (flagged.length === 0) return;
  const key = `${pathCountersKey(k, experimentId, rollup)}:flagged`;
  const pipeline = redis.pipeline();
  for (const f of flagged) pipeline.hsetnx(key, f.path, String(f.logEValue));
  pipeline.pexpire(key, k.retentionMs);
  let replies: Array<[Error | null, unknown]>;
  try {
    replies = (await pipeline.exec()) ?? [];
  } catch (err) {
    throw new UnavailableError(`redis refused the regressions of ${experimentId}: ${(err as Error).message}`, { experimentId }, err);
  }
  const failed = replies.find(([err]) => err)?.[0];
  if (failed) throw new UnavailableError(`redis refused the regressions of ${experimentId}: ${failed.message}`, { experimentId }, failed);
}

export type VerdictMark = 'regression' | 'noise';

const verdictMarksKey = (k: Pick<WindowKeys, 'prefix'>, experimentId: string) => `${pathCountersKey({ prefix: k.prefix, windowMs: 0 }, experimentId, ALL_SLICES)}:decided`;

/** Replaces the live rollup's decided paths (a noise verdict can be lost again, a regression never is). */
export async function writeVerdictMarks(redis: RedisClient, k: WindowKeys & { retentionMs: number }, experimentId: string, decided: Map<string, VerdictMark>): Promise<void> {
  const key = verdictMarksKey(k, experimentId);
  const multi = redis.multi().del(key);
  if (decided.size > 0) multi.hset(key, Object.fromEntries(decided)).pexpire(key, k.retentionMs);
  await unavailableUnless(`the decided paths of ${experimentId}`, () => multi.exec());
}

/** The live rollup's decided paths of an experiment, by name; empty when none is decided yet. */
export async function readVerdictMarks(redis: RedisClient, prefix: string, experimentId: string): Promise<Map<string, VerdictMark>> {
  const hash = await unavailableUnless(`the decided paths of ${experimentId}`, () => redis.hgetall(verdictMarksKey({ prefix }, experimentId)));
  return new Map(Object.entries(hash).flatMap(([name, mark]): Array<[string, VerdictMark]> => (mark === 'regression' || mark === 'noise' ? [[name, mark]] : [])));
}
