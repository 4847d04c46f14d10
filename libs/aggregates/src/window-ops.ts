import { ALL_SLICES, type DiffEvent, REPLAY_SLICES, type MetricObservation, sliceKeyOf } from '@penumbra/contracts';
import { LogHistogram } from '@penumbra/stats-core';

/**
 * One Redis effect of an event, applied by the aggregation script:
 * i = HINCRBY, f = HINCRBYFLOAT, mn/mx = keep the smaller/larger, l = keep the value with the
 * latest timestamp, z = ZINCRBY (top paths), x = LPUSH an example (list bounded by the script),
 * p = HINCRBY of a path counter, refused into the hash's overflow past the rollup's cap on paths.
 */
export type WindowOp =
  | ['i', string, string, number]
  | ['f', string, string, number]
  | ['mn' | 'mx', string, string, number]
  | ['l', string, string, number, number]
  | ['z', string, string, number]
  | ['x', string, string]
  | ['p', string, string, number];

export interface EventOps {
  /** Dedupe id: an event seen before (same id) is applied once. */
  id: string;
  experimentId: string;
  offset: string;
  ops: WindowOp[];
  /** The windows this event touched (all slices, and its own), for the window index. */
  windows: Array<{ experimentId: string; sliceKey: string; start: number }>;
}

export interface WindowKeys {
  prefix: string;
  windowMs: number;
}

export function windowStart(ts: number, windowMs: number): number {
  return ts - (ts % windowMs);
}

/** Keys of one window: counters and histograms, top paths, examples per path. */
export function windowKey(k: WindowKeys, experimentId: string, sliceKey: string, start: number): { hash: string; top: string; examples: (path: string) => string } {
  const base = `${k.prefix}agg:{${experimentId}}:${sliceKey}:${start}`;
  return { hash: base, top: `${base}:top`, examples: (path) => `${base}:ex:${path}` };
}

/** Bumped by every rebuild of the experiment; dedupe keys carry it. */
export function generationKey(k: WindowKeys, experimentId: string): string {
  return `${k.prefix}agg:{${experimentId}}:gen`;
}

export function windowIndexKey(k: WindowKeys, experimentId: string): string {
  return `${k.prefix}agg:{${experimentId}}:windows`;
}

/**
 * The experiment's windows changed by each apply, scored by the apply's number in the sequence
 * below; members are index members. The apply script names both by these suffixes of the index key.
 */
export function windowChangesKey(k: WindowKeys, experimentId: string): string {
  return `${windowIndexKey(k, experimentId)}:touched`;
}

/** The number of the experiment's last apply that changed a window. */
export function windowSequenceKey(k: WindowKeys, experimentId: string): string {
  return `${windowIndexKey(k, experimentId)}:seq`;
}

const EXAMPLE_VALUE_CHARS = 160;

/** An example of a differing path: the pair id and both values, short enough to keep many. */
export function exampleOf(pairId: string, primary: string | undefined, candidate: string | undefined): string {
  const cut = (v: string | undefined) => (v === undefined ? undefined : v.length > EXAMPLE_VALUE_CHARS ? `${v.slice(0, EXAMPLE_VALUE_CHARS)}…` : v);
  return JSON.stringify({ id: pairId, p: cut(primary), c: cut(candidate) });
}

export interface DifferenceExample {
  pairId: string;
  primary?: string;
  candidate?: string;
}

/** Reads an example back; a bare pair id (as older windows hold) has no values. */
export function parseExample(text: string): DifferenceExample {
  if (!text.startsWith('{')) return { pairId: text };
  try {
    const v = JSON.parse(text) as { id?: unknown; p?: unknown; c?: unknown };
    return { pairId: String(v.id), ...(typeof v.p === 'string' ? { primary: v.p } : {}), ...(typeof v.c === 'string' ? { candidate: v.c } : {}) };
  } catch {
    return { pairId: text };
  }
}

const OUTCOME_COUNTER: Record<DiffEvent['outcome'], string> = {
  match: 'c:match',
  mismatch: 'c:mismatch',
  candidate_error: 'c:candidateErrors',
  primary_error: 'c:primaryErrors',
  both_error: 'c:bothErrors',
  too_large: 'c:tooLarge',
  unknown: 'c:unknown',
};

type Side = 'p' | 'c' | 's';

/** One side's latency field names, built once: the hot path only looks them up. */
interface LatencyFields {
  n: string;
  sum: string;
  min: string;
  max: string;
  zero: string;
  /** Bucket field names by histogram index, memoised up to a bound (latencies span few buckets). */
  buckets: Map<number, string>;
}

const MAX_MEMO_BUCKETS = 4096;
const latencyFields = (side: Side): LatencyFields => ({ n: `l${side}:n`, sum: `l${side}:sum`, min: `l${side}:min`, max: `l${side}:max`, zero: `l${side}:z`, buckets: new Map() });
const LATENCY_FIELDS: Record<Side, LatencyFields> = { p: latencyFields('p'), c: latencyFields('c'), s: latencyFields('s') };

function bucketField(side: Side, index: number): string {
  const memo = LATENCY_FIELDS[side].buckets;
  let field = memo.get(index);
  if (field === undefined) {
    field = `l${side}:b:${index}`;
    if (memo.size < MAX_MEMO_BUCKETS) memo.set(index, field);
  }
  return field;
}

function pushLatencyOps(ops: WindowOp[], hash: string, side: Side, ms: number | undefined, alpha: number): void {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return;
  const index = LogHistogram.indexOf(ms, alpha);
  const f = LATENCY_FIELDS[side];
  ops.push(['i', hash, f.n, 1], ['f', hash, f.sum, ms], ['mn', hash, f.min, ms], ['mx', hash, f.max, ms], ['i', hash, index === undefined ? f.zero : bucketField(side, index), 1]);
}

/** The slices an event counts in: the all-slices rollup, and its own slice when it has one; a replayed event only in its replay rollup. */
function slicesOf(slice: Record<string, string>, replay?: DiffEvent['replay']): string[] {
  if (replay) return [REPLAY_SLICES[replay]];
  const own = sliceKeyOf(slice);
  return own === ALL_SLICES ? [ALL_SLICES] : [ALL_SLICES, own];
}

/** The experiment's per-path counters of a rollup ("*", or a replay rollup): every pair since it began, not windowed. */
export function pathCountersKey(k: WindowKeys, experimentId: string, rollup: string): string {
  return `${k.prefix}agg:{${experimentId}}:paths:${rollup}`;
}

/** Field names of the path counters; JSON keeps any endpoint or path unambiguous. */
export const PATH_FIELDS = {
  pairs: (endpoint: string) => `n:${JSON.stringify(endpoint)}`,
  candidateOnly: (endpoint: string, path: string) => `c:${JSON.stringify([endpoint, path])}`,
  secondaryOnly: (endpoint: string, path: string) => `s:${JSON.stringify([endpoint, path])}`,
  both: (endpoint: string, path: string) => `b:${JSON.stringify([endpoint, path])}`,
  incomplete: 'incomplete',
  overflow: 'overflow',
} as const;

/** One pair's paired indicators, counted once per path whichever way a redelivered or duplicated list repeats it. */
function pathOps(e: DiffEvent, key: string): WindowOp[] {
  if (!e.paired) return [];
  const ops: WindowOp[] = [['p', key, PATH_FIELDS.pairs(e.endpoint), 1]];
  if (e.paired.incomplete) ops.push(['i', key, PATH_FIELDS.incomplete, 1]);
  const candidate = new Set(e.paired.candidate);
  const secondary = new Set(e.paired.secondary);
  for (const path of candidate) ops.push(['p', key, secondary.has(path) ? PATH_FIELDS.both(e.endpoint, path) : PATH_FIELDS.candidateOnly(e.endpoint, path), 1]);
  for (const path of secondary) if (!candidate.has(path)) ops.push(['p', key, PATH_FIELDS.secondaryOnly(e.endpoint, path), 1]);
  return ops;
}

export function diffEventOps(e: DiffEvent, offset: string, k: WindowKeys, alpha: number): EventOps {
  const start = windowStart(e.ts, k.windowMs);
  const slices = slicesOf(e.slice, e.replay);
  const ops: WindowOp[] = [];
  const windows: EventOps['windows'] = [];
  for (const sliceKey of slices) {
    windows.push({ experimentId: e.experimentId, sliceKey, start });
    const w = windowKey(k, e.experimentId, sliceKey, start);
    ops.push(['i', w.hash, 'c:pairs', 1], ['i', w.hash, OUTCOME_COUNTER[e.outcome], 1]);
    if (!e.statusMatch) ops.push(['i', w.hash, 'c:statusMismatches', 1]);
    if (e.errors.candidate === 'timeout') ops.push(['i', w.hash, 'c:timeouts', 1]);
    if (e.errors.secondary) ops.push(['i', w.hash, 'c:secondaryErrors', 1]);
    pushLatencyOps(ops, w.hash, 'p', e.latencyMs.primary, alpha);
    pushLatencyOps(ops, w.hash, 'c', e.latencyMs.candidate, alpha);
    pushLatencyOps(ops, w.hash, 's', e.latencyMs.secondary, alpha);
    if (e.outcome === 'mismatch') {
      for (const d of e.differences) {
        const member = `${e.endpoint}\t${d.path.replace(/\[\d+\]/g, '[*]')}`;
        ops.push(['z', w.top, member, 1], ['x', w.examples(member), exampleOf(e.id, d.primary, d.candidate)]);
      }
    }
  }
  if (e.paired) ops.push(...pathOps(e, pathCountersKey(k, e.experimentId, slices[0] as string)));
  return { id: e.id, experimentId: e.experimentId, offset, ops, windows };
}

export function metricOps(m: MetricObservation, offset: string, k: WindowKeys): EventOps {
  const start = windowStart(m.ts, k.windowMs);
  const field = (stat: string) => `m:${m.side}:${m.name}:${stat}`;
  const slices = slicesOf(m.slice);
  const ops = slices.flatMap((sliceKey): WindowOp[] => {
    const w = windowKey(k, m.experimentId, sliceKey, start);
    return [
      ['i', w.hash, field('count'), 1],
      ['f', w.hash, field('sum'), m.value],
      ['mn', w.hash, field('min'), m.value],
      ['mx', w.hash, field('max'), m.value],
      ['l', w.hash, field('last'), m.value, m.ts],
    ];
  });
  return { id: `metric:${m.id}`, experimentId: m.experimentId, offset, ops, windows: slices.map((sliceKey) => ({ experimentId: m.experimentId, sliceKey, start })) };
}
