import { z } from 'zod';
import { epochMs, eventId } from './common';

export const deadLetterErrorClass = z.enum(['encoding', 'json', 'schema', 'handler', 'too-large']);
export type DeadLetterErrorClass = z.infer<typeof deadLetterErrorClass>;

export function deadLetterKey(topic: string, partition: number, offset: string): string {
  return `${topic}:${partition}:${offset}`;
}

export const deadLetterSchema = z.object({
  type: z.literal('dead-letter.v1'),
  /** source topic:partition:offset, so a redelivered bad record yields the same dead letter. */
  id: eventId,
  ts: epochMs,
  source: z.object({ topic: z.string().min(1), partition: z.number().int().nonnegative(), offset: z.string().regex(/^\d+$/) }),
  consumerGroup: z.string().min(1).max(300),
  errorClass: deadLetterErrorClass,
  reason: z.string().min(1).max(4000),
  /** Original key and value bytes, base64; null where the record had none. */
  key: z.string().nullable(),
  value: z.string().nullable(),
  headers: z.record(z.string(), z.string()).default({}),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
