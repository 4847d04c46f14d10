import { readFileSync } from 'node:fs';
import {
  EXPERIMENT_DELETION_HEADER,
  type ExperimentRecord,
  type OperatorKeys,
  alertSchema,
  experimentId as experimentIdSchema,
  operatorKeysFromJson,
  verifyExperimentDeletion,
  verifyExperimentRecord,
} from '@penumbra/contracts';
import { ConfigError, describeError } from '@penumbra/errors';
import { encodeEvent } from '@penumbra/kafka';
import { RejectionLimiter } from './rejection-limiter';
import { type ServiceContext } from './service-context';

/** The operators' public keys from a JSON file; a bad file stops the start naming the variable. */
export function loadOperatorKeysFile(variable: string, path: string | undefined): OperatorKeys | undefined {
  if (path === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw new ConfigError(`${variable}: cannot read ${path} as JSON: ${(err as Error).message}`, { path });
  }
  try {
    return operatorKeysFromJson(raw);
  } catch (err) {
    throw new ConfigError(`${variable}: ${path} is not a valid operator keys file: ${describeError(err)}`, { path });
  }
}

/**
 * Raises `experiment-rejected` alerts: at most one per experiment and source a minute, carrying
 * how many it stands for, so a flood of forged records costs a handful of alerts; at most 100
 * waiting to be sent, the rest only logged.
 */
export class ExperimentAlerts {
  private readonly limiter = new RejectionLimiter();
  private sending: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly clock: () => number = Date.now,
  ) {}

  raise(experimentId: string, source: string, message: string, details: Record<string, unknown>): void {
    const now = this.clock();
    const admitted = this.limiter.admit(experimentId, source, now);
    if (!admitted.alert || this.pending >= 100) return;
    const more = admitted.suppressed > 0 ? ` (and ${admitted.suppressed} more from ${source} without an alert)` : '';
    const alert = alertSchema.parse({
      type: 'alert.v1',
      id: `experiment-rejected:${this.ctx.name}:${this.ctx.instanceId}:${experimentId}:${now}:${source}`.slice(0, 512),
      ts: now,
      experimentId,
      severity: 'critical',
      kind: 'experiment-rejected',
      source: this.ctx.name,
      message: `${message}${more}`.slice(0, 4000),
      details: { ...details, suppressed: admitted.suppressed },
    });
    this.pending += 1;
    this.sending = this.sending
      .then(async () => {
        const producer = await this.ctx.kafka.producer();
        try {
          await producer.send([encodeEvent(alertSchema, alert, this.ctx.topics.alerts, experimentId)]);
        } finally {
          await producer.disconnect();
        }
      })
      .catch((err: unknown) => this.ctx.logger.error('could not raise the experiment-rejected alert', { err, experimentId }))
      .finally(() => {
        this.pending -= 1;
      });
  }

  /** Resolves once the alerts raised so far are sent (or failed). */
  drain(): Promise<void> {
    return this.sending;
  }
}

/** Decides, once for the whole service, whether an experiment record may be used, and alerts a refusal. */
export class ExperimentTrust {
  constructor(
    private readonly keys: OperatorKeys | undefined,
    private readonly alerts: ExperimentAlerts,
  ) {}

  /** Why the record (undefined: a tombstone of a held experiment) may not be used, or undefined. */
  verify(key: string, record: ExperimentRecord | undefined, headers: Record<string, string>): string | undefined {
    const verdict = record === undefined ? verifyExperimentDeletion(headers[EXPERIMENT_DELETION_HEADER], key, this.keys) : verifyExperimentRecord(record, key, this.keys);
    return verdict.ok ? undefined : verdict.reason;
  }

  refused(key: string, record: ExperimentRecord | undefined, reason: string, where: string): void {
    // The row a record tries to change is its key when that names an experiment (a refused tombstone's always does).
    const experimentId = experimentIdSchema.safeParse(key).success || record === undefined ? key : record.experimentId;
    const actor = record?.actor ?? 'unknown';
    const keyId = record?.signature?.keyId ?? null;
    this.alerts.raise(
      experimentId,
      `${keyId ?? 'unsigned'}:${actor}`,
      `experiment ${record === undefined ? 'deletion' : 'record'} ${where} from ${actor.slice(0, 200)} refused, the previous valid one stays in force: ${reason}`,
      { key: key.slice(0, 200), where, actor, keyId, reason },
    );
  }
}
