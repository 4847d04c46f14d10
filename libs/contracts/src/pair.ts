import { z } from 'zod';
import { epochMs, experimentId, httpMethod, replayResult, responseSnapshot, side, sliceValues } from './common';

/** The suffix of a replayed pair's id, so a replayed pair never shares an id (and a dedup) with the live pair of the same request. */
export const REPLAY_ID_SUFFIX = '#replay';

export function pairId(experiment: string, trafficId: string, replayed = false): string {
  return `${experiment}:${trafficId}${replayed ? REPLAY_ID_SUFFIX : ''}`;
}

/**
 * The mark of a pair built by replaying retained traffic rather than live traffic. The captured
 * response is stale by then, so `primary` is the live secondary's answer to the same request now and
 * `secondary` a second answer of the secondary (the noise reference); the capture is not compared.
 */
export const pairReplay = z.object({
  /** The replay run (or corpus stage) that built it. */
  run: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'letters, digits, ".", "_", ":" or "-", at most 128'),
  kind: z.enum(['retained', 'corpus']),
  /** When the request was captured. */
  capturedAt: epochMs,
});
export type PairReplay = z.infer<typeof pairReplay>;

/** A captured response and the replays of the same request, ready to compare. */
export const pairSchema = z
  .object({
    type: z.literal('pair.v1'),
    id: z.string().min(3).max(1024),
    ts: epochMs,
    experimentId,
    trafficId: z.string().min(1).max(512),
    source: z.enum(['mirror', 'sdk']).default('mirror'),
    endpoint: z.string().min(1).max(1024),
    slice: sliceValues.default({}),
    request: z.object({ method: httpMethod, path: z.string().min(1).max(8192), query: z.string().max(8192).default('') }),
    primary: responseSnapshot,
    candidate: replayResult,
    secondary: replayResult.optional(),
    /** Sides whose body is only a prefix (cut at capture or by the mirror): a comparison involving one is unknown. */
    truncated: z.array(side).max(3).optional(),
    /** Present only on pairs replayed from retained traffic or the corpus: never mixed with live evidence. */
    replay: pairReplay.optional(),
  })
  .refine((p) => p.id === pairId(p.experimentId, p.trafficId, p.replay !== undefined), {
    path: ['id'],
    message: `must equal "<experimentId>:<trafficId>" ("${REPLAY_ID_SUFFIX}" appended when replayed) so a replay after a crash is recognisable`,
  });
export type Pair = z.infer<typeof pairSchema>;
