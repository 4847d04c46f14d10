import { createHash } from 'node:crypto';
import { type z } from 'zod';
import {
  EXPERIMENT_DELETION_HEADER,
  type OperatorKeys,
  type TopicKey,
  TOPICS,
  type TrustedKeys,
  experimentRecordSchema,
  verifyExperimentDeletion,
  verifyExperimentRecord,
  verifyMessage,
} from '@penumbra/contracts';
import { type CredentialPolicy, credentialPolicy } from '@penumbra/credentials';
import { type IncomingRecord, decodeRecord } from '@penumbra/kafka';
import { streamOf } from './keys';
import { ALWAYS_REDACTED, REDACTED, redactPaths } from './redact';

export const AUDITED_TOPICS = ['experiments', 'control', 'commands', 'acks', 'alerts', 'dlq'] as const satisfies readonly TopicKey[];
export type AuditedTopic = (typeof AUDITED_TOPICS)[number];

/** What an audit record says about its source event, before it is numbered and chained. */
export interface AuditDraft {
  experimentId: string;
  eventType: string;
  actor: string;
  ts: number;
  event: unknown;
}

export interface DescribeOptions {
  /** The redaction paths of an experiment (its spec's compare.redact). */
  redactFor(experimentId: string): readonly string[];
  /** Bytes that no path can be checked against (dead letters, invalid records) are kept only as length and digest. */
  redactOpaqueBytes: boolean;
  /** Raw bytes kept in clear at most this long; longer ones are summarised. */
  maxClearBytes?: number;
  /**
   * Keys that sign commands (the sentinel's) and acknowledgements (the appliers'). With them, a
   * command or ack no trusted key signed is recorded with its actor marked `unverified:`, since
   * anyone could have written that name. Likewise the operators' keys for experiment records and
   * deletions, checked as every service checks them before use.
   */
  trust?: { commands?: TrustedKeys; acks?: TrustedKeys; experiments?: OperatorKeys };
  /**
   * How credentials are hashed in every audited event: credential headers, `shadow.headers.add`
   * values, URL userinfo, query secrets. @default the default policy, with a random key
   */
  credentials?: CredentialPolicy;
}

const defaultPolicies = new WeakMap<DescribeOptions, CredentialPolicy>();
function credentialsOf(options: DescribeOptions): CredentialPolicy {
  if (options.credentials) return options.credentials;
  let policy = defaultPolicies.get(options);
  if (!policy) {
    policy = credentialPolicy();
    defaultPolicies.set(options, policy);
  }
  return policy;
}

const MAX_ACTOR = 200;
const MAX_REASON = 2000;

function bytesSummary(bytes: Buffer | null, options: DescribeOptions): unknown {
  if (bytes === null) return null;
  const digest = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  if (options.redactOpaqueBytes) return { ...digest, value: REDACTED };
  // Kept only as JSON with its credentials hashed: in bytes that are not JSON no pattern can find them all.
  const redacted = credentialsOf(options).jsonBytes(bytes);
  if (redacted === undefined) return { ...digest, value: REDACTED };
  return redacted.length <= (options.maxClearBytes ?? 16_384) ? { ...digest, base64: redacted.toString('base64') } : digest;
}

function jsonOf(bytes: Buffer | null): unknown {
  if (bytes === null) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}

function actorOf(event: Record<string, unknown>): string {
  const actor = event['actor'];
  if (typeof actor === 'string') return actor;
  if (actor !== null && typeof actor === 'object') return `${String(field(actor, 'kind'))}:${String(field(actor, 'name'))}`;
  for (const name of ['appliedBy', 'source', 'consumerGroup']) if (typeof event[name] === 'string') return event[name];
  return 'unknown';
}

function finish(draft: AuditDraft, options: DescribeOptions, extraPaths: readonly string[] = []): AuditDraft {
  const paths = [...(ALWAYS_REDACTED[draft.eventType] ?? []), ...options.redactFor(draft.experimentId), ...extraPaths];
  const credentials = credentialsOf(options);
  return { ...draft, actor: credentials.text(draft.actor).slice(0, MAX_ACTOR), event: credentials.json(redactPaths(draft.event, paths)) };
}

/** A source record as an audit draft: valid events as they are (redacted), anything else as a readable "invalid" entry. */
export function describeSourceRecord(kind: AuditedTopic, record: IncomingRecord, options: DescribeOptions): AuditDraft {
  const recordTs = Number(record.timestamp);
  const key = record.key?.toString('utf8') ?? null;
  if (kind === 'experiments' && record.value === null) {
    const operators = options.trust?.experiments;
    const deletion = operators === undefined ? undefined : verifyExperimentDeletion(record.headers[EXPERIMENT_DELETION_HEADER], key ?? '', operators);
    const actor = deletion === undefined ? 'unknown' : deletion.ok ? deletion.operator : 'unverified:unknown';
    return finish({ experimentId: streamOf(key), eventType: 'experiment.deleted', actor, ts: recordTs, event: { experimentId: key } }, options);
  }
  const schema: z.ZodType<unknown> = TOPICS[kind].schema;
  const decoded = decodeRecord(record.value, schema);
  if (!decoded.ok) {
    const json = jsonOf(record.value);
    const experimentId = streamOf(field(json, 'experimentId'));
    const reason = decoded.reason.slice(0, MAX_REASON);
    return finish(
      { experimentId, eventType: 'invalid', actor: 'unknown', ts: recordTs, event: { errorClass: decoded.errorClass, reason, key, value: bytesSummary(record.value, options) } },
      options,
    );
  }
  const event = decoded.value as Record<string, unknown>;
  const ts = typeof event['ts'] === 'number' ? event['ts'] : recordTs;
  if (kind === 'dlq') {
    const original = typeof event['value'] === 'string' ? Buffer.from(event['value'], 'base64') : null;
    const originalKey = typeof event['key'] === 'string' ? Buffer.from(event['key'], 'base64') : null;
    const experimentId = streamOf(field(jsonOf(original), 'experimentId'));
    const summarised = { ...event, key: bytesSummary(originalKey, options), value: bytesSummary(original, options) };
    return finish({ experimentId, eventType: String(event['type']), actor: actorOf(event), ts, event: summarised }, options);
  }
  const experimentId = streamOf(event['experimentId']);
  const keys = kind === 'commands' ? options.trust?.commands : kind === 'acks' ? options.trust?.acks : undefined;
  const operators = kind === 'experiments' ? options.trust?.experiments : undefined;
  const experiment = operators === undefined ? undefined : experimentRecordSchema.safeParse(event);
  const unverified =
    (keys !== undefined && !verifyMessage(event, keys).ok) ||
    (experiment !== undefined && (!experiment.success || !verifyExperimentRecord(experiment.data, key ?? '', operators).ok));
  const actor = unverified ? `unverified:${actorOf(event)}` : actorOf(event);
  const ownPaths = kind === 'experiments' ? field(field(field(event, 'spec'), 'compare'), 'redact') : undefined;
  const extra = Array.isArray(ownPaths) ? ownPaths.filter((p): p is string => typeof p === 'string') : [];
  return finish({ experimentId, eventType: String(event['type']), actor, ts, event }, options, extra);
}
