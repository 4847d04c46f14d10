import { Counter, Histogram, type Registry } from 'prom-client';

export class SentinelMetrics {
  readonly decisions: Counter<'action' | 'dry_run'>;
  readonly controlRequests: Counter<'action' | 'result'>;
  readonly casConflicts: Counter;
  readonly unacknowledged: Counter;
  readonly evaluationSeconds: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.decisions = new Counter({ name: 'penumbra_sentinel_decisions_total', help: 'Commands decided, by action', labelNames: ['action', 'dry_run'], registers });
    this.controlRequests = new Counter({
      name: 'penumbra_sentinel_control_requests_total',
      help: 'Operator control requests, by action and result',
      labelNames: ['action', 'result'],
      registers,
    });
    this.casConflicts = new Counter({ name: 'penumbra_sentinel_cas_conflicts_total', help: 'State writes lost to another writer and retried', registers });
    this.unacknowledged = new Counter({ name: 'penumbra_sentinel_commands_unacknowledged_total', help: 'Live commands not acknowledged in time', registers });
    this.evaluationSeconds = new Histogram({
      name: 'penumbra_sentinel_evaluation_seconds',
      help: 'Time to evaluate one experiment slice',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
  }
}
