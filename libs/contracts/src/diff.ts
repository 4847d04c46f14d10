import { z } from 'zod';
import { epochMs, experimentId, latencyMs, replayErrorKind, sliceValues } from './common';

export const diffOutcome = z.enum(['match', 'mismatch', 'candidate_error', 'primary_error', 'both_error', 'too_large', 'unknown']);
export type DiffOutcome = z.infer<typeof diffOutcome>;

export const differenceKind = z.enum(['changed', 'type', 'missing', 'extra', 'order', 'status', 'header']);
export type DifferenceKind = z.infer<typeof differenceKind>;

export const MAX_DIFFERENCES_PER_EVENT = 200;

export const differenceSchema = z.object({
  /** JSONPath-style: $.items[2].price, or status / header:<name> for non-body differences. */
  path: z.string().min(1).max(2048),
  kind: differenceKind,
  /** Truncated, redacted renderings of each side's value; absent when a side has none. */
  primary: z.string().max(1024).optional(),
  candidate: z.string().max(1024).optional(),
});
export type Difference = z.infer<typeof differenceSchema>;

export const MAX_PAIRED_PATHS = 200;

/**
 * A pair with a secondary, at each path template: did the candidate differ from the primary, and did
 * the secondary? These paired indicators are what the per-path verdicts count (see path-verdicts.ts).
 */
export const pairedPathsSchema = z.object({
  candidate: z.array(z.string().min(1).max(2048)).max(MAX_PAIRED_PATHS).default([]),
  secondary: z.array(z.string().min(1).max(2048)).max(MAX_PAIRED_PATHS).default([]),
  /** A side differed at more paths than were kept: the pair's indicators are incomplete, and no path is shown equivalent on them. */
  incomplete: z.boolean().default(false),
});
export type PairedPaths = z.infer<typeof pairedPathsSchema>;

export const diffEventSchema = z.object({
  type: z.literal('diff.v1'),
  /** The pair id, so a redelivered pair yields the same diff id. */
  id: z.string().min(3).max(1024),
  ts: epochMs,
  experimentId,
  endpoint: z.string().min(1).max(1024),
  slice: sliceValues.default({}),
  outcome: diffOutcome,
  statusMatch: z.boolean(),
  status: z.object({ primary: z.number().int(), candidate: z.number().int().optional(), secondary: z.number().int().optional() }),
  differences: z.array(differenceSchema).max(MAX_DIFFERENCES_PER_EVENT).default([]),
  /** How many differences were left out past the per-event bound. */
  differencesOmitted: z.number().int().nonnegative().default(0),
  suppressedNoise: z.array(z.string().max(2048)).max(MAX_DIFFERENCES_PER_EVENT).default([]),
  suspectedNoise: z.array(z.string().max(2048)).max(MAX_DIFFERENCES_PER_EVENT).default([]),
  latencyMs: z.object({ primary: latencyMs, candidate: latencyMs.optional(), secondary: latencyMs.optional() }),
  errors: z.object({ candidate: replayErrorKind.optional(), secondary: replayErrorKind.optional() }).default({}),
  /** Present when the pair had a secondary that answered and was compared (before noise suppression). */
  paired: pairedPathsSchema.optional(),
  /** Set when the pair was replayed from retained traffic or the corpus: counted apart from live evidence. */
  replay: z.enum(['retained', 'corpus']).optional(),
});
export type DiffEvent = z.infer<typeof diffEventSchema>;
