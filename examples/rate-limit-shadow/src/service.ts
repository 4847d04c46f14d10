import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Adaptive, type Experiment } from '@penumbra/sdk';
import { type HitLog, type RateLimitDecision, type RateLimitPolicy, decide } from './rate-limit-policy';

export interface RateLimitServiceDeps {
  policy: Adaptive<RateLimitPolicy>;
  experiment: Experiment;
  hits: HitLog;
  now?: () => number;
}

const TENANT_PATH = /^\/api\/([A-Za-z0-9_-]{1,64})(?:\/|$)/;

/**
 * The service's request handler: every /api/<tenant>/… request is checked by the primary policy,
 * and, for the sampled tenants, by the shadow policy too, in process. The shadow's decision is
 * only compared, never enforced.
 */
export function rateLimitHandler(deps: RateLimitServiceDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const now = deps.now ?? Date.now;
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/policy') return json(res, 200, policyView(deps));
    const tenant = TENANT_PATH.exec(url.pathname)?.[1];
    if (tenant === undefined) return json(res, 404, { error: 'expected /api/<tenant>/…' });
    const at = now();
    const history = deps.hits.of(tenant).slice();
    deps.hits.record(tenant, at);
    const { primary, shadow } = deps.policy.sides();
    deps.experiment
      .run<RateLimitDecision>({
        control: () => decide(primary, history, at),
        candidate: shadow && (() => decide(shadow, history, at)),
        key: tenant,
        endpoint: 'rate-limit.decide',
        slice: { tenant },
        request: { method: 'GET', path: url.pathname },
      })
      .then(
        (d) =>
          d.allowed
            ? json(res, 200, { ok: true, tenant, policy: primary.name })
            : json(res, 429, { error: 'rate limited', rule: d.rule, retryAfterMs: d.retryAfterMs }, { 'retry-after': String(Math.ceil(d.retryAfterMs / 1000)) }),
        (err: unknown) => json(res, 500, { error: err instanceof Error ? err.message : String(err) }),
      );
  };
}

function policyView(deps: RateLimitServiceDeps): unknown {
  const s = deps.policy.read();
  return {
    primary: s.primary,
    shadow: s.shadowEnabled ? (s.shadow ?? null) : null,
    previous: s.snapshot ?? null,
    stage: s.stage,
    weight: s.weight,
    experiment: deps.experiment.counters(),
    shadowing: deps.experiment.isEnabled(),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
