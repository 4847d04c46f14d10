import { type z } from 'zod';
import { aggregateSnapshotSchema } from './aggregate';
import { alertSchema } from './alert';
import { auditRecordSchema } from './audit';
import { ackSchema, commandSchema } from './command';
import { controlRequestSchema } from './control';
import { corpusEntrySchema } from './corpus';
import { deadLetterSchema } from './dead-letter';
import { diffEventSchema } from './diff';
import { experimentRecordSchema } from './experiment-record';
import { metricObservationSchema } from './metric';
import { pairSchema } from './pair';
import { trafficRecordSchema } from './traffic';

export const DEFAULT_TOPIC_PREFIX = 'shadow.';

export type CleanupPolicy = 'delete' | 'compact';

export interface TopicSpec {
  /** Name without the prefix. */
  suffix: string;
  partitions: number;
  cleanupPolicy: CleanupPolicy;
  /** retention.ms for delete topics; -1 keeps forever. */
  retentionMs?: number;
  /** Further topic configs, applied as given. */
  configs: Record<string, string>;
  schema: z.ZodType;
  /** Partition explicitly (by a hash of the experiment id) instead of by the record key. */
  explicitPartitioning?: boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const TOPICS = {
  traffic: { suffix: 'traffic', partitions: 12, cleanupPolicy: 'delete', retentionMs: 3 * DAY, configs: {}, schema: trafficRecordSchema },
  experiments: {
    suffix: 'experiments',
    partitions: 1,
    cleanupPolicy: 'compact',
    configs: { 'min.cleanable.dirty.ratio': '0.1', 'delete.retention.ms': String(7 * DAY) },
    schema: experimentRecordSchema,
  },
  pairs: { suffix: 'pairs', partitions: 12, cleanupPolicy: 'delete', retentionMs: 2 * DAY, configs: {}, schema: pairSchema },
  diffs: { suffix: 'diffs', partitions: 12, cleanupPolicy: 'delete', retentionMs: 14 * DAY, configs: {}, schema: diffEventSchema },
  metrics: { suffix: 'metrics', partitions: 6, cleanupPolicy: 'delete', retentionMs: 14 * DAY, configs: {}, schema: metricObservationSchema },
  aggregates: { suffix: 'aggregates', partitions: 6, cleanupPolicy: 'delete', retentionMs: 7 * DAY, configs: {}, schema: aggregateSnapshotSchema },
  control: { suffix: 'control', partitions: 6, cleanupPolicy: 'delete', retentionMs: 30 * DAY, configs: {}, schema: controlRequestSchema },
  commands: { suffix: 'commands', partitions: 6, cleanupPolicy: 'delete', retentionMs: 30 * DAY, configs: {}, schema: commandSchema },
  alerts: { suffix: 'alerts', partitions: 6, cleanupPolicy: 'delete', retentionMs: 30 * DAY, configs: {}, schema: alertSchema },
  acks: { suffix: 'acks', partitions: 6, cleanupPolicy: 'delete', retentionMs: 30 * DAY, configs: {}, schema: ackSchema },
  audit: {
    suffix: 'audit',
    partitions: 6,
    cleanupPolicy: 'compact',
    configs: { 'min.cleanable.dirty.ratio': '0.5', 'min.insync.replicas': '1' },
    schema: auditRecordSchema,
    explicitPartitioning: true,
  },
  dlq: { suffix: 'dlq', partitions: 3, cleanupPolicy: 'delete', retentionMs: 30 * DAY, configs: {}, schema: deadLetterSchema },
  /** The regression corpus: the latest record per service, endpoint and path; a tombstone prunes one. */
  corpus: {
    suffix: 'corpus',
    partitions: 3,
    cleanupPolicy: 'compact',
    configs: { 'min.cleanable.dirty.ratio': '0.1', 'delete.retention.ms': String(7 * DAY) },
    schema: corpusEntrySchema,
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;
export const TOPIC_KEYS = Object.keys(TOPICS) as TopicKey[];

/** The payload type carried by a topic. */
export type TopicValue<K extends TopicKey> = z.infer<(typeof TOPICS)[K]['schema']>;

const PREFIX_PATTERN = /^[A-Za-z0-9._-]{0,200}$/;

export function topicName(prefix: string, key: TopicKey): string {
  if (!PREFIX_PATTERN.test(prefix)) throw new RangeError(`topic prefix "${prefix}" may hold only letters, digits, ".", "_" and "-"`);
  return `${prefix}${TOPICS[key].suffix}`;
}

export function topicNames(prefix: string): Record<TopicKey, string> {
  return Object.fromEntries(TOPIC_KEYS.map((k) => [k, topicName(prefix, k)])) as Record<TopicKey, string>;
}

/** Topic configs as Kafka expects them, cleanup policy and retention included. */
export function topicConfigEntries(spec: TopicSpec): Record<string, string> {
  const entries: Record<string, string> = { 'cleanup.policy': spec.cleanupPolicy, ...spec.configs };
  if (spec.retentionMs !== undefined) entries['retention.ms'] = String(spec.retentionMs);
  return entries;
}
