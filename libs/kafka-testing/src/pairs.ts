import { type Pair, pairSchema } from '@penumbra/contracts';

const response = (body: unknown, status = 200) => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: { encoding: 'utf8' as const, data: JSON.stringify(body), truncated: false },
  latencyMs: 5,
});

/** A pair as the mirror would produce it, from three JSON bodies (the secondary optional). */
export function jsonPair(
  experimentId: string,
  trafficId: string,
  bodies: { primary: unknown; candidate: unknown | { error: 'timeout' | 'connect' }; secondary?: unknown },
  endpoint = 'GET /items/:id',
): Pair {
  const candidate =
    typeof bodies.candidate === 'object' && bodies.candidate !== null && 'error' in bodies.candidate
      ? { ok: false as const, error: { kind: (bodies.candidate as { error: 'timeout' | 'connect' }).error, message: 'replay failed', latencyMs: 100 } }
      : { ok: true as const, response: response(bodies.candidate) };
  return pairSchema.parse({
    type: 'pair.v1',
    id: `${experimentId}:${trafficId}`,
    ts: 1_763_776_800_000,
    experimentId,
    trafficId,
    endpoint,
    request: { method: 'GET', path: '/items/1' },
    primary: response(bodies.primary),
    candidate,
    ...(bodies.secondary !== undefined ? { secondary: { ok: true, response: response(bodies.secondary) } } : {}),
  });
}
