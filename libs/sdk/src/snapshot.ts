import { type ReplayResult, type ResponseSnapshot } from '@penumbra/contracts';

/** What one side of an in-process experiment did: a value, or an error it threw. */
export type Outcome<T> = { ok: true; value: T; latencyMs: number } | { ok: false; error: unknown; latencyMs: number };

export type Snapshotted = { ok: true; snapshot: ResponseSnapshot } | { ok: false; kind: 'too-large' | 'protocol'; message: string };

const MAX_MESSAGE = 2000;

function truncate(text: string): string {
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE - 1)}…`;
}

export function errorMessage(err: unknown): string {
  return truncate(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}

/**
 * A side's outcome as the response the comparator expects: a value is a 200 with its JSON body,
 * a thrown error a 500 with `{ error: { name, message } }`, so the comparator sees
 * candidate_error, primary_error or both_error exactly as for replayed HTTP.
 */
export function snapshotOf<T>(outcome: Outcome<T>, serialize: (value: T) => unknown, maxBodyBytes: number): Snapshotted {
  let data: string;
  let status = 200;
  try {
    if (outcome.ok) data = JSON.stringify(serialize(outcome.value)) ?? 'null';
    else {
      status = 500;
      const e = outcome.error;
      data = JSON.stringify({ error: { name: e instanceof Error ? e.name : 'Error', message: truncate(e instanceof Error ? e.message : String(e)) } });
    }
  } catch (err) {
    return { ok: false, kind: 'protocol', message: `the result cannot be written as JSON: ${errorMessage(err)}` };
  }
  if (Buffer.byteLength(data) > maxBodyBytes) return { ok: false, kind: 'too-large', message: `the result is larger than ${maxBodyBytes} bytes as JSON` };
  return {
    ok: true,
    snapshot: { status, headers: { 'content-type': 'application/json' }, body: { encoding: 'utf8', data, truncated: false }, latencyMs: Math.max(0, outcome.latencyMs) },
  };
}

/** The candidate side of a pair: its snapshot, or a replay error when it could not be written. */
export function candidateResult<T>(outcome: Outcome<T>, serialize: (value: T) => unknown, maxBodyBytes: number): ReplayResult {
  const s = snapshotOf(outcome, serialize, maxBodyBytes);
  if (s.ok) return { ok: true, response: s.snapshot };
  return { ok: false, error: { kind: s.kind, message: s.message, latencyMs: Math.max(0, outcome.latencyMs) } };
}
