import { type ControlAction, type ControlRequest, type ExperimentRecord, type OperatorKeys } from '@penumbra/contracts';
import { type ProducerPort } from '@penumbra/kafka';
import { applyControl, authorizeControlRequest, policyHash } from '@penumbra/policy-core';
import { type ExperimentEvaluator } from './experiment-evaluator';
import { alertOf } from './outputs';
import { RejectionLimiter } from '@penumbra/service-kit';
import { type SentinelMetrics } from './sentinel-metrics';
import { type SentinelStateStore } from '@penumbra/sentinel-state';

export interface ControlRouterDeps {
  evaluator: ExperimentEvaluator;
  store: SentinelStateStore;
  producer: ProducerPort;
  alertsTopic: string;
  keys: OperatorKeys | undefined;
  experiments: (id: string) => ExperimentRecord | undefined;
  metrics: SentinelMetrics;
  clock?: () => number;
}

type Handler = (request: ControlRequest, record: ExperimentRecord, roles: string[]) => Promise<string[]>;

/**
 * Routes an operator's request to the handler of its action, after checking its signature and
 * the operator's roles. A rejected request is answered by a `control-rejected` alert (which the
 * audit records next to the request itself); an accepted one by the commands its handler emits.
 */
export class ControlRouter {
  private readonly handlers: Record<ControlAction, Handler>;
  private readonly clock: () => number;
  private readonly limiter = new RejectionLimiter();

  constructor(private readonly deps: ControlRouterDeps) {
    this.clock = deps.clock ?? Date.now;
    const perSlice: Handler = (request, record, roles) => this.applyPerSlice(request, record, roles);
    this.handlers = {
      promote: perSlice,
      rollback: perSlice,
      pause: perSlice,
      resume: perSlice,
      approve: perSlice,
      kill: (request, record, roles) => this.applyPerSlice({ ...request, slice: undefined }, record, roles),
    };
  }

  /**
   * Authenticates before any side effect: a request that fails its signature check touches no
   * Redis key and is never marked as seen, so a forged copy carrying a real request's id cannot
   * suppress it, and a flood of junk costs a few collapsed alerts.
   */
  async route(request: ControlRequest): Promise<void> {
    const auth =
      this.deps.keys === undefined
        ? ({ ok: false, reason: 'the sentinel has no operator keys: set PENUMBRA_OPERATOR_KEYS_FILE' } as const)
        : authorizeControlRequest(request, this.deps.keys, this.clock());
    if (!auth.ok) {
      this.deps.metrics.controlRequests.inc({ action: request.action, result: 'unauthenticated' });
      const source = request.signature?.keyId ?? `unsigned:${request.actor}`;
      const admitted = this.limiter.admit(request.experimentId, source, this.clock());
      if (admitted.alert)
        await this.reject(request, admitted.suppressed > 0 ? `${auth.reason} (and ${admitted.suppressed} more rejected from ${source} without an alert)` : auth.reason);
      return;
    }
    if (await this.deps.store.seen(request.id)) return;
    const result = await this.handle(request, auth.roles);
    this.deps.metrics.controlRequests.inc({ action: request.action, result: result === undefined ? 'applied' : 'rejected' });
    if (result !== undefined) await this.reject(request, result);
    await this.deps.store.markSeen(request.id);
  }

  private async handle(request: ControlRequest, roles: string[]): Promise<string | undefined> {
    const record = this.deps.experiments(request.experimentId);
    if (record === undefined) return `unknown experiment ${request.experimentId}`;
    if (record.halted !== undefined) return `${request.experimentId} is halted (${record.halted.reason}); apply it again to start over`;
    const refusals = await this.handlers[request.action](request, record, roles);
    return refusals.length > 0 ? refusals.join('; ') : undefined;
  }

  /** Applies the request to one slice, or to every slice when it names none; returns refusals. */
  private async applyPerSlice(request: ControlRequest, record: ExperimentRecord, roles: string[]): Promise<string[]> {
    const { evaluator } = this.deps;
    const slices = request.slice !== undefined ? [request.slice] : await evaluator.slicesOf(record);
    const hash = policyHash(record.spec.policy);
    const refusals: string[] = [];
    await evaluator.serialize(record.experimentId, async () => {
      for (const slice of slices) {
        const stepId = `${request.id}:${slice}`;
        if (await this.deps.store.seen(stepId, record.experimentId)) continue;
        await evaluator.step(
          record,
          slice,
          (state, evidence, now) => {
            const outcome = applyControl({
              policy: record.spec.policy,
              policyHash: hash,
              slice,
              state,
              evidence,
              now,
              request: { action: request.action, actor: request.actor, roles, reason: request.reason },
            });
            if (!outcome.ok) {
              refusals.push(slices.length > 1 ? `${slice}: ${outcome.reason}` : outcome.reason);
              return undefined;
            }
            return { state: outcome.state, ...(outcome.decision ? { decision: outcome.decision } : {}), alerts: outcome.alerts };
          },
          stepId,
        );
      }
    });
    return refusals;
  }

  private async reject(request: ControlRequest, reason: string): Promise<void> {
    const alert = alertOf(
      request.experimentId,
      request.slice ?? '*',
      {
        kind: 'control-rejected',
        severity: 'warning',
        message: `${request.action} by ${request.actor} rejected: ${reason}`,
        dedupeKey: `control:${request.id}`,
        details: { requestId: request.id, action: request.action, actor: request.actor },
      },
      this.clock(),
    );
    await this.deps.producer.send([{ topic: this.deps.alertsTopic, key: request.experimentId, value: JSON.stringify(alert) }]);
  }
}
