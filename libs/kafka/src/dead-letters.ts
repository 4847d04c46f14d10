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
import { type CredentialPolicy, credentialPolicy } from '@penumbra/credentials';
import { type IncomingRecord, type OutgoingMessage } from './ports';

const MAX_REASON = 4000;
const MINIMAL_REASON = 500;

export interface DeadLetterOptions {
  /** How many bytes of the original value the letter keeps (64 KiB by default). */
  maxValueBytes?: number;
  /** How credentials are hashed in the kept value, headers and reason. @default the default policy, with a random key */
  credentials?: CredentialPolicy | undefined;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function boundedHeaders(headers: Record<string, string>, credentials: CredentialPolicy): { headers: Record<string, string>; truncated: boolean } {
  const out: Record<string, string> = {};
  let truncated = false;
  let kept = 0;
  for (const [k, raw] of Object.entries(headers)) {
    if (kept >= MAX_DEAD_LETTER_HEADERS) {
      truncated = true;
      break;
    }
    const v = credentials.isCredentialHeader(k) ? credentials.hash(raw) : credentials.text(raw.slice(0, 2 * MAX_DEAD_LETTER_HEADER_CHARS));
    if (k.length > MAX_DEAD_LETTER_HEADER_CHARS || v.length > MAX_DEAD_LETTER_HEADER_CHARS) truncated = true;
    out[k.slice(0, MAX_DEAD_LETTER_HEADER_CHARS)] = v.slice(0, MAX_DEAD_LETTER_HEADER_CHARS);
    kept += 1;
  }
  return { headers: out, truncated };
}

function common(record: IncomingRecord, consumerGroup: string, errorClass: DeadLetterErrorClass, reason: string, now: number, maxReason: number, credentials: CredentialPolicy) {
  return {
    type: 'dead-letter.v1' as const,
    id: deadLetterKey(record.topic, record.partition, record.offset),
    ts: now,
    source: { topic: record.topic, partition: record.partition, offset: record.offset },
    consumerGroup: clip(consumerGroup, 300),
    errorClass,
    // Scrubbed before it is clipped, so that a credential cut at the boundary is still recognised.
    reason: clip(credentials.text((reason || 'no reason given').slice(0, maxReason + 1024)), maxReason),
    ...(record.value === null ? {} : { size: record.value.length, sha256: createHash('sha256').update(record.value).digest('hex') }),
  };
}

/**
 * The value a dead letter may keep: a JSON value re-serialised with its credentials hashed. Bytes
 * that are not JSON are withheld: a pattern cannot see a credential that is escaped, encoded or cut
 * at the prefix boundary, and the size, sha256 and source coordinates still find the original in
 * its topic, where the broker's ACLs guard it.
 */
function keptValue(value: Buffer, credentials: CredentialPolicy): { bytes: Buffer | null; redaction: 'json' | 'withheld' } {
  const redacted = credentials.jsonBytes(value);
  return redacted === undefined ? { bytes: null, redaction: 'withheld' } : { bytes: redacted, redaction: 'json' };
}

/**
 * The dead letter for a record, keyed by its source coordinates so redelivery yields the same one.
 * It is bounded whatever the record: a prefix of the value (credentials hashed), its size and
 * sha256, a bounded key and bounded headers, so it always fits under the broker's message limit.
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
  const credentials = options.credentials ?? credentialPolicy();
  const headers = boundedHeaders(record.headers, credentials);
  const keyTruncated = record.key !== null && record.key.length > MAX_DEAD_LETTER_KEY_BYTES;
  const kept = record.value === null ? undefined : keptValue(record.value, credentials);
  const valueTruncated = kept !== undefined && (kept.bytes === null || kept.bytes.length > maxValue);
  return deadLetterSchema.parse({
    ...common(record, consumerGroup, errorClass, reason, now, MAX_REASON, credentials),
    key: record.key === null ? null : record.key.subarray(0, MAX_DEAD_LETTER_KEY_BYTES).toString('base64'),
    value: kept?.bytes ? kept.bytes.subarray(0, maxValue).toString('base64') : null,
    ...(kept ? { redaction: kept.redaction } : {}),
    truncated: keyTruncated || valueTruncated || headers.truncated,
    headers: headers.headers,
  });
}

/** The fallback when the full letter cannot be written: coordinates, reason, size and digest, no bytes. */
export function minimalDeadLetter(
  record: IncomingRecord,
  consumerGroup: string,
  errorClass: DeadLetterErrorClass,
  reason: string,
  now: number,
  credentials: CredentialPolicy = credentialPolicy(),
): DeadLetter {
  return deadLetterSchema.parse({
    ...common(record, consumerGroup, errorClass, reason, now, MINIMAL_REASON, credentials),
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
