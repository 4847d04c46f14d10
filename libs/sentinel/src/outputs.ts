import {
  type Alert,
  type Command,
  type ExperimentRecord,
  type SigningKey,
  type TopicKey,
  alertSchema,
  commandId,
  commandSchema,
  experimentRecordSchema,
  signMessage,
} from '@penumbra/contracts';
import { type AlertDraft, type Decision } from '@penumbra/policy-core';
import { type OutboxMessage } from '@penumbra/sentinel-state';

type Topics = Record<TopicKey, string>;

/** The decision's command, signed: Ed25519 is deterministic, so a resent command is byte for byte the same. */
export function commandOf(experimentId: string, d: Decision, signer: SigningKey): Command {
  const slice = d.slice === '*' ? undefined : d.slice;
  const command = commandSchema.parse({
    type: 'command.v1',
    id: commandId({ experimentId, slice, fromStage: d.fromStage, toStage: d.toStage, stateVersion: d.stateVersion }),
    ts: d.at,
    experimentId,
    ...(slice === undefined ? {} : { slice }),
    action: d.action,
    fromStage: d.fromStage,
    toStage: d.toStage,
    stateVersion: d.stateVersion,
    targetWeight: d.targetWeight,
    dryRun: d.dryRun,
    reason: d.reason.length <= 2000 ? d.reason : `${d.reason.slice(0, 1980)} … (see evidence)`,
    actor: d.actor,
    evidence: d.evidence,
  });
  return signMessage(command, signer);
}

export function alertOf(experimentId: string, slice: string, draft: AlertDraft, now: number): Alert {
  return alertSchema.parse({
    type: 'alert.v1',
    id: `${experimentId}:${slice}:${draft.dedupeKey}`,
    ts: now,
    experimentId,
    severity: draft.severity,
    kind: draft.kind,
    source: 'sentinel',
    message: draft.message.slice(0, 4000),
    details: { slice, ...draft.details },
  });
}

/**
 * The operator's record again, marked halted, so every service stops working on it. Everything
 * but `halted` stays as the operator signed it, so the record still verifies; who halted it and
 * why is in `halted` and in the signed command it names.
 */
export function haltedRecord(record: ExperimentRecord, command: Command): ExperimentRecord {
  return experimentRecordSchema.parse({ ...record, halted: { at: command.ts, reason: command.reason, commandId: command.id } });
}

/** What a decision owes Kafka: its command, its alerts and, for a kill or a stop, the halt. */
export function outboxOf(
  topics: Topics,
  experimentId: string,
  slice: string,
  decision: Decision | undefined,
  alerts: AlertDraft[],
  now: number,
  record: ExperimentRecord | undefined,
  signer: SigningKey,
): OutboxMessage[] {
  const out: OutboxMessage[] = [];
  if (decision !== undefined) {
    const command = commandOf(experimentId, decision, signer);
    out.push({ topic: topics.commands, key: experimentId, value: JSON.stringify(command) });
    const halts = (command.action === 'kill' || command.toStage === 'stopped') && !command.dryRun;
    if (halts && record !== undefined && record.halted === undefined)
      out.push({ topic: topics.experiments, key: experimentId, value: JSON.stringify(haltedRecord(record, command)) });
  }
  for (const a of alerts) out.push({ topic: topics.alerts, key: experimentId, value: JSON.stringify(alertOf(experimentId, slice, a, now)) });
  return out;
}
