import { z } from 'zod';
import { epochMs, eventId, experimentId } from './common';

export const alertKind = z.enum([
  'stalled',
  'gate-warning',
  'command-unacknowledged',
  'dlq-spike',
  'control-rejected',
  'experiment-rejected',
  'rollback',
  'kill',
  'consumer-lag',
  'dead-letter-fallback',
  'consumer-crashed',
  'evictions',
  'cap-reached',
  'snapshot-failed',
  'other',
]);
export type AlertKind = z.infer<typeof alertKind>;

export const alertSchema = z.object({
  type: z.literal('alert.v1'),
  id: eventId,
  ts: epochMs,
  experimentId: experimentId.optional(),
  severity: z.enum(['info', 'warning', 'critical']),
  kind: alertKind,
  source: z.string().min(1).max(200),
  message: z.string().min(1).max(4000),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type Alert = z.infer<typeof alertSchema>;
