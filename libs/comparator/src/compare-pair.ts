import {
  type DiffEvent,
  type DiffOutcome,
  compareSchema,
  type ExperimentSpec,
  type Pair,
  type PairedPaths,
  type ReplayResult,
  MAX_DIFFERENCES_PER_EVENT,
  MAX_PAIRED_PATHS,
} from '@penumbra/contracts';
import { type CompiledRules, type FoundDifference, DEFAULT_LIMITS, compileRules, diffResponses, looksVolatile, pathTemplate, prepareResponse } from '@penumbra/diff-core';

export interface CompareConfig {
  rules: CompiledRules;
  headers: readonly string[];
  maxBodyBytes: number;
  /** Response bodies nested deeper than this are not compared (outcome too_large): COMPARATOR_MAX_JSON_DEPTH. */
  maxJsonDepth: number;
  noise: ExperimentSpec['compare']['noise'];
}

export const DEFAULT_MAX_JSON_DEPTH = 1000;

const DEFAULT_NOISE = compareSchema.parse({}).noise;

export function compareConfigOf(spec: ExperimentSpec | undefined, maxBodyBytes: number, maxJsonDepth = DEFAULT_MAX_JSON_DEPTH): CompareConfig {
  if (!spec) return { rules: compileRules({}), headers: [], maxBodyBytes, maxJsonDepth, noise: DEFAULT_NOISE };
  const c = spec.compare;
  return {
    rules: compileRules({ ignore: c.ignore, tolerances: c.tolerances, unordered: c.unordered, redact: c.redact }),
    headers: c.headers,
    maxBodyBytes: Math.min(maxBodyBytes, c.maxBodyBytes),
    maxJsonDepth,
    noise: c.noise,
  };
}

/** What one pair yields before noise is judged: the raw differences and, with a secondary, production's own. */
export interface PairComparison {
  pair: Pair;
  outcome: Exclude<DiffOutcome, 'match' | 'mismatch'> | 'compared';
  statusMatch: boolean;
  differences: FoundDifference[];
  omitted: number;
  /** Path templates where primary and candidate differ (each once). */
  rawTemplates: string[];
  /** Path templates where primary and secondary differ, when the secondary answered. */
  noiseTemplates: string[] | undefined;
  /** The secondary differed at more paths than were found: its templates are incomplete. */
  noiseIncomplete: boolean;
  /** Per template, whether its values look volatile (ids, timestamps). */
  volatile: Map<string, boolean>;
}

const LIMITS = { ...DEFAULT_LIMITS, maxDifferences: MAX_DIFFERENCES_PER_EVENT };

const templatesOf = (ds: FoundDifference[]) => [...new Set(ds.map((d) => pathTemplate(d.path)))];

function isServerError(r: ReplayResult): boolean {
  return !r.ok || r.response.status >= 500;
}

type Snapshot = Pair['primary'];

function isCut(pair: Pair, side: 'primary' | 'candidate' | 'secondary', snapshot: Snapshot | undefined): boolean {
  return snapshot?.body?.truncated === true || (pair.truncated ?? []).includes(side);
}

/**
 * Two sides with a truncated body cannot be compared as if complete. When the mirror cut both and
 * kept the digest of each whole, equal digests are equal bodies: what is left to compare is the
 * status and headers. Otherwise the comparison is unknown.
 */
function comparableBodies(pair: Pair, a: Snapshot, aSide: 'primary' | 'secondary', b: Snapshot): { a: Snapshot; b: Snapshot } | undefined {
  if (!isCut(pair, aSide, a) && !isCut(pair, 'candidate', b)) return { a, b };
  if (a.body?.sha256 === undefined || a.body.sha256 !== b.body?.sha256) return undefined;
  return { a: { ...a, body: undefined }, b: { ...b, body: undefined } };
}

export function comparePair(pair: Pair, config: CompareConfig): PairComparison {
  const primaryError = pair.primary.status >= 500;
  const candidateError = isServerError(pair.candidate);
  const base = {
    pair,
    statusMatch: pair.candidate.ok && pair.candidate.response.status === pair.primary.status,
    differences: [],
    omitted: 0,
    rawTemplates: [],
    noiseTemplates: undefined,
    noiseIncomplete: false,
    volatile: new Map<string, boolean>(),
  };
  if (primaryError && candidateError) return { ...base, outcome: 'both_error' };
  if (candidateError) return { ...base, outcome: 'candidate_error' };
  if (primaryError) return { ...base, outcome: 'primary_error' };
  if (!pair.candidate.ok) return { ...base, outcome: 'candidate_error' };
  const options = { rules: config.rules, headers: config.headers, maxBodyBytes: config.maxBodyBytes, limits: { ...LIMITS, maxDepth: config.maxJsonDepth } };
  const comparable = comparableBodies(pair, pair.primary, 'primary', pair.candidate.response);
  if (!comparable) return { ...base, outcome: 'unknown' };
  // Parsed once for both comparisons.
  const primary = prepareResponse(comparable.a);
  const raw = diffResponses(primary, comparable.b, options);
  if (raw.tooLarge) return { ...base, outcome: 'too_large', differences: raw.differences, omitted: raw.omitted };
  let noiseTemplates: string[] | undefined;
  let noiseIncomplete = false;
  if (pair.secondary?.ok && !isServerError(pair.secondary) && comparable.a === pair.primary && !isCut(pair, 'secondary', pair.secondary.response)) {
    const noise = diffResponses(primary, pair.secondary.response, options);
    noiseTemplates = templatesOf(noise.differences);
    noiseIncomplete = noise.omitted > 0 || noise.tooLarge;
  }
  const volatile = new Map<string, boolean>();
  for (const d of raw.differences) {
    const t = pathTemplate(d.path);
    volatile.set(t, (volatile.get(t) ?? true) && looksVolatile(d.path, [d.primary, d.candidate]));
  }
  return {
    ...base,
    outcome: 'compared',
    statusMatch: raw.statusMatch,
    differences: raw.differences,
    omitted: raw.omitted,
    rawTemplates: templatesOf(raw.differences),
    noiseTemplates,
    noiseIncomplete,
    volatile,
  };
}

export function latencyOf(r: ReplayResult | undefined): number | undefined {
  if (!r) return undefined;
  return r.ok ? r.response.latencyMs : r.error.latencyMs;
}

export function diffEventOf(c: PairComparison, kept: FoundDifference[], suppressed: string[], suspected: string[], ts: number): DiffEvent {
  const { pair } = c;
  const outcome: DiffOutcome = c.outcome === 'compared' ? (kept.length > 0 ? 'mismatch' : 'match') : c.outcome;
  const candidateLatency = latencyOf(pair.candidate);
  const secondaryLatency = latencyOf(pair.secondary);
  return {
    type: 'diff.v1',
    id: pair.id,
    ts,
    experimentId: pair.experimentId,
    endpoint: pair.endpoint,
    slice: pair.slice,
    outcome,
    statusMatch: c.statusMatch,
    status: {
      primary: pair.primary.status,
      ...(pair.candidate.ok ? { candidate: pair.candidate.response.status } : {}),
      ...(pair.secondary?.ok ? { secondary: pair.secondary.response.status } : {}),
    },
    differences: kept.slice(0, MAX_DIFFERENCES_PER_EVENT),
    differencesOmitted: c.omitted + Math.max(0, kept.length - MAX_DIFFERENCES_PER_EVENT),
    suppressedNoise: suppressed.slice(0, MAX_DIFFERENCES_PER_EVENT),
    suspectedNoise: suspected.slice(0, MAX_DIFFERENCES_PER_EVENT),
    latencyMs: {
      primary: pair.primary.latencyMs,
      ...(candidateLatency !== undefined ? { candidate: candidateLatency } : {}),
      ...(secondaryLatency !== undefined ? { secondary: secondaryLatency } : {}),
    },
    errors: { ...(pair.candidate.ok ? {} : { candidate: pair.candidate.error.kind }), ...(pair.secondary && !pair.secondary.ok ? { secondary: pair.secondary.error.kind } : {}) },
    ...(c.noiseTemplates ? { paired: pairedPathsOf(c, c.noiseTemplates) } : {}),
    ...(pair.replay ? { replay: pair.replay.kind } : {}),
  };
}

/** The pair's indicators for the per-path verdicts, from every difference found (suppressed noise included). */
function pairedPathsOf(c: PairComparison, noiseTemplates: string[]): PairedPaths {
  const incomplete = c.omitted > 0 || c.noiseIncomplete || c.rawTemplates.length > MAX_PAIRED_PATHS || noiseTemplates.length > MAX_PAIRED_PATHS;
  return { candidate: c.rawTemplates.slice(0, MAX_PAIRED_PATHS), secondary: noiseTemplates.slice(0, MAX_PAIRED_PATHS), incomplete };
}
