import { type Pair, pairSchema } from '@penumbra/contracts';

export function jsonPairFor(i: number): Pair {
  const response = { status: 200, headers: {}, body: { encoding: 'utf8' as const, data: String(i), truncated: false }, latencyMs: 1 };
  return pairSchema.parse({
    type: 'pair.v1',
    id: `limits:t${i}`,
    ts: 1,
    experimentId: 'limits',
    trafficId: `t${i}`,
    source: 'sdk',
    endpoint: 'sdk',
    request: { method: 'GET', path: '/sdk' },
    primary: response,
    candidate: { ok: true, response },
  });
}
