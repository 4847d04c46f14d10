import { z } from 'zod';
import { epochMs, eventId } from './common';

export const deadLetterErrorClass = z.enum(['encoding', 'json', 'schema', 'handler', 'too-large', 'bounds', 'skew']);
export type DeadLetterErrorClass = z.infer<typeof deadLetterErrorClass>;

/** How much of the original value a dead letter keeps by default; the size and digest cover the rest. */
export const DEFAULT_DEAD_LETTER_MAX_VALUE_BYTES = 64 * 1024;
/** The configurable bound stays well under the broker's 1 MiB message limit once base64-encoded. */
export const MAX_DEAD_LETTER_VALUE_BYTES = 512 * 1024;
export const MAX_DEAD_LETTER_KEY_BYTES = 1024;
export const MAX_DEAD_LETTER_HEADERS = 32;
export const MAX_DEAD_LETTER_HEADER_CHARS = 512;

export function deadLetterKey(topic: string, partition: number, offset: string): string {
  return `${topic}:${partition}:${offset}`;
}

const base64Of = (bytes: number) => z.string().max(Math.ceil(bytes / 3) * 4);

export const deadLetterSchema = z.object({
  type: z.literal('dead-letter.v1'),
  /** source topic:partition:offset, so a redelivered bad record yields the same dead letter. */
  id: eventId,
  ts: epochMs,
  source: z.object({ topic: z.string().min(1).max(300), partition: z.number().int().nonnegative(), offset: z.string().regex(/^\d+$/).max(30) }),
  consumerGroup: z.string().min(1).max(300),
  errorClass: deadLetterErrorClass,
  reason: z.string().min(1).max(4000),
  /** Original key bytes (a prefix of at most 1 KiB), base64; null where the record had none. */
  key: base64Of(MAX_DEAD_LETTER_KEY_BYTES).nullable(),
  /** A prefix of the original value bytes, base64; null where the record had none or none is kept. */
  value: base64Of(MAX_DEAD_LETTER_VALUE_BYTES).nullable(),
  /** The original value's size in bytes and sha256 (hex); absent on letters written before they existed. */
  size: z.number().int().nonnegative().optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /**
   * How credentials were kept out of `value`: `json`, it is the original re-serialised with credential
   * values hashed; `withheld`, the original is not JSON, so no bytes are kept (size and sha256 are).
   * Absent on letters written before credentials were redacted.
   */
  redaction: z.enum(['json', 'withheld']).optional(),
  /** True when `value` (or the key or headers) holds less than the original. */
  truncated: z.boolean().default(false),
  /** True for the fallback letter written when the full one could not be: coordinates, size and digest only. */
  minimal: z.boolean().default(false),
  headers: z
    .record(z.string().max(MAX_DEAD_LETTER_HEADER_CHARS), z.string().max(MAX_DEAD_LETTER_HEADER_CHARS))
    .refine((h) => Object.keys(h).length <= MAX_DEAD_LETTER_HEADERS, `at most ${MAX_DEAD_LETTER_HEADERS} headers`)
    .default({}),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
