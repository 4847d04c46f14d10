import { z } from 'zod';
import { epochMs, experimentId, httpMethod, replayResult, responseSnapshot, side, sliceValues } from './common';

export function pairId(experiment: string, trafficId: string): string {
  return `${experiment}:${trafficId}`;
}

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
  })
  .refine((p) => p.id === pairId(p.experimentId, p.trafficId), {
    path: ['id'],
    message: 'must equal "<experimentId>:<trafficId>" so a replay after a crash is recognisable',
  });
export type Pair = z.infer<typeof pairSchema>;
