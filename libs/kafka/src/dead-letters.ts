import { createHash } from 'node:crypto';
import {
  type DeadLetter,
  type DeadLetterErrorClass,
  DEFAULT_DEAD_LETTER_MAX_VALUE_BYTES,
  MAX_DEAD_LETTER_HEADERS,
  MAX_DEAD_LETTER_HEADER_CHARS,
  MAX_DEAD_LETTER_KEY_BYTES,
  MAX_DEAD_LETTER_VALUE_BYTES,
  deadLetterKey,
  deadLetterSchema,
} from '@penumbra/contracts';
import { type IncomingRecord, type OutgoingMessage } from './ports';

const MAX_REASON = 4000;
const MINIMAL_REASON = 500;

export interface DeadLetterOptions {
  /** How many bytes of the original value the letter keeps (64 KiB by default). */
  maxValueBytes?: number;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function boundedHeaders(headers: Record<string, string>): { headers: Record<string, string>; truncated: boolean } {
  const out: Record<string, string> = {};
  let truncated = false;
  let kept = 0;
  for (const [k, v] of Object.entries(headers)) {
    if (kept >= MAX_DEAD_LETTER_HEADERS) {
      truncated = true;
      break;
    }
    if (k.length > MAX_DEAD_LETTER_HEADER_CHARS || v.length > MAX_DEAD_LETTER_HEADER_CHARS) truncated = true;
    out[k.slice(0, MAX_DEAD_LETTER_HEADER_CHARS)] = v.slice(0, MAX_DEAD_LETTER_HEADER_CHARS);
    kept += 1;
  }
  return { headers: out, truncated };
}

function common(record: IncomingRecord, consumerGroup: string, errorClass: DeadLetterErrorClass, reason: string, now: number, maxReason: number) {
  return {
    type: 'dead-letter.v1' as const,
    id: deadLetterKey(record.topic, record.partition, record.offset),
    ts: now,
    source: { topic: record.topic, partition: record.partition, offset: record.offset },
    consumerGroup: clip(consumerGroup, 300),
    errorClass,
    reason: clip(reason || 'no reason given', maxReason),
    ...(record.value === null ? {} : { size: record.value.length, sha256: createHash('sha256').update(record.value).digest('hex') }),
  };
}

/**
 * The dead letter for a record, keyed by its source coordinates so redelivery yields the same one.
 * It is bounded whatever the record: a prefix of the value, its size and sha256, a bounded key and
 * bounded headers, so it always fits under the broker's message limit.
 */
export function deadLetterFor(
  record: IncomingRecord,
  consumerGroup: string,
  errorClass: DeadLetterErrorClass,
  reason: string,
  now: number,
  options: DeadLetterOptions = {},
): DeadLetter {
  const maxValue = Math.min(options.maxValueBytes ?? DEFAULT_DEAD_LETTER_MAX_VALUE_BYTES, MAX_DEAD_LETTER_VALUE_BYTES);
  const headers = boundedHeaders(record.headers);
  const keyTruncated = record.key !== null && record.key.length > MAX_DEAD_LETTER_KEY_BYTES;
  const valueTruncated = record.value !== null && record.value.length > maxValue;
  return deadLetterSchema.parse({
    ...common(record, consumerGroup, errorClass, reason, now, MAX_REASON),
    key: record.key === null ? null : record.key.subarray(0, MAX_DEAD_LETTER_KEY_BYTES).toString('base64'),
    value: record.value === null ? null : record.value.subarray(0, maxValue).toString('base64'),
    truncated: keyTruncated || valueTruncated || headers.truncated,
    headers: headers.headers,
  });
}

/** The fallback when the full letter cannot be written: coordinates, reason, size and digest, no bytes. */
export function minimalDeadLetter(record: IncomingRecord, consumerGroup: string, errorClass: DeadLetterErrorClass, reason: string, now: number): DeadLetter {
  return deadLetterSchema.parse({
    ...common(record, consumerGroup, errorClass, reason, now, MINIMAL_REASON),
    key: null,
    value: null,
    truncated: record.key !== null || record.value !== null || Object.keys(record.headers).length > 0,
    minimal: true,
    headers: {},
  });
}

export function deadLetterMessage(topic: string, letter: DeadLetter): OutgoingMessage {
  return { topic, key: letter.id, value: JSON.stringify(letter) };
}
