import { type DeadLetterErrorClass, DEFAULT_JSON_BOUNDS, type JsonBounds, issuePath, jsonBoundsViolation } from '@penumbra/contracts';
import { type z } from 'zod';

export type Decoded<T> = { ok: true; value: T } | { ok: false; errorClass: DeadLetterErrorClass; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

const MAX_REASON_ISSUES = 10;

/**
 * bytes → UTF-8 text → JSON → bounds on depth and node count → schema. A null value (a tombstone)
 * decodes as JSON null, so a schema that allows tombstones says so with .nullable(). Never throws:
 * the bounds are checked iteratively before anything walks the value recursively.
 */
export function decodeRecord<T>(value: Buffer | null, schema: z.ZodType<T>, maxBytes = 16 * 1024 * 1024, bounds: JsonBounds = DEFAULT_JSON_BOUNDS): Decoded<T> {
  let json: unknown = null;
  if (value !== null) {
    if (value.length > maxBytes) return { ok: false, errorClass: 'too-large', reason: `value is ${value.length} bytes, over the ${maxBytes}-byte bound` };
    let text: string;
    try {
      text = utf8.decode(value);
    } catch {
      return { ok: false, errorClass: 'encoding', reason: `value is not valid UTF-8 (first bad byte near offset ${firstInvalidUtf8(value)})` };
    }
    try {
      json = JSON.parse(text);
    } catch (err) {
      // V8 quotes the start of the text it could not parse; that may be a credential, so the quote is left out.
      const message = (err as Error).message.slice(0, 500).replace(/,? "[\s\S]*"(\.\.\.)? is not valid JSON$/, ' (not valid JSON)');
      return { ok: false, errorClass: 'json', reason: `value is not JSON: ${message}` };
    }
    const violation = jsonBoundsViolation(json, bounds);
    if (violation) return { ok: false, errorClass: 'bounds', reason: violation };
  }
  let parsed: ReturnType<typeof schema.safeParse>;
  try {
    parsed = schema.safeParse(json);
  } catch (err) {
    return { ok: false, errorClass: 'schema', reason: `schema check failed: ${err instanceof Error ? err.message.slice(0, 500) : 'unknown error'}` };
  }
  if (parsed.success) return { ok: true, value: parsed.data };
  if (value === null) return { ok: false, errorClass: 'schema', reason: 'tombstone (null value) where an event was expected' };
  const issues = parsed.error.issues;
  const listed = issues.slice(0, MAX_REASON_ISSUES).map((i) => `${issuePath(i.path)}: ${i.message}`);
  if (issues.length > MAX_REASON_ISSUES) listed.push(`…and ${issues.length - MAX_REASON_ISSUES} more`);
  return { ok: false, errorClass: 'schema', reason: `schema violation: ${listed.join('; ')}` };
}

function firstInvalidUtf8(bytes: Buffer): number {
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    try {
      utf8.decode(bytes.subarray(0, mid + 1));
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return lo;
}
