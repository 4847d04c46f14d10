import { createHash } from 'node:crypto';
import { type Body, type Pair, type ReplayResult, type Side } from '@penumbra/contracts';

/** The pair schema's bound on an endpoint. */
export const MAX_ENDPOINT_CHARS = 1024;
/** A pair must fit one Kafka message (1 MiB by default) with room for the record's own overhead. */
export const MAX_PAIR_BYTES = 900 * 1024;
/** What a cut body keeps: enough for a person to see what the answer was. */
export const BODY_PREFIX_BYTES = 64 * 1024;

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * An endpoint within the pair schema's bound. A long one keeps its start and ends in a digest of
 * the whole, so two distinct long endpoints stay distinct and the same one always clamps alike.
 */
export function clampEndpoint(endpoint: string): string {
  if (endpoint.length <= MAX_ENDPOINT_CHARS) return endpoint;
  return `${endpoint.slice(0, MAX_ENDPOINT_CHARS - 18)}…${sha256(endpoint).slice(0, 16)}`;
}

/** A status outside 100–599 is not HTTP: the replay is a protocol error on that side, not a response. */
export function checkReplayStatus(result: ReplayResult): ReplayResult {
  if (!result.ok) return result;
  const { status, latencyMs } = result.response;
  if (Number.isInteger(status) && status >= 100 && status <= 599) return result;
  return { ok: false, error: { kind: 'protocol', message: `answered with status ${status}, outside 100-599`, latencyMs } };
}

function bodyOf(pair: Pair, side: Side): Body | undefined {
  if (side === 'primary') return pair.primary.body;
  const result = side === 'candidate' ? pair.candidate : pair.secondary;
  return result?.ok ? result.response.body : undefined;
}

/** Sides whose body is only a prefix of what was sent. */
export function truncatedSides(pair: Pair): Side[] {
  return (['primary', 'candidate', 'secondary'] as const).filter((s) => bodyOf(pair, s)?.truncated === true);
}

/** The body cut to a prefix, with the digest and length of the whole so equal bodies stay recognisable. */
export function cutBody(body: Body, prefixBytes = BODY_PREFIX_BYTES): Body {
  const whole = Buffer.from(body.data, body.encoding === 'base64' ? 'base64' : 'utf8');
  if (whole.length <= prefixBytes) return body;
  const prefix = whole.subarray(0, prefixBytes);
  return {
    encoding: body.encoding,
    data: body.encoding === 'base64' ? prefix.toString('base64') : prefix.toString('utf8'),
    truncated: true,
    // A body the capture had already cut has no digest of the whole: its prefix is all anyone saw.
    ...(body.truncated ? {} : { sha256: sha256(whole), bytes: whole.length }),
  };
}

function withBodies(pair: Pair, cut: (b: Body) => Body): Pair {
  const result = (r: ReplayResult): ReplayResult => (r.ok && r.response.body ? { ok: true, response: { ...r.response, body: cut(r.response.body) } } : r);
  return {
    ...pair,
    primary: pair.primary.body ? { ...pair.primary, body: cut(pair.primary.body) } : pair.primary,
    candidate: result(pair.candidate),
    ...(pair.secondary ? { secondary: result(pair.secondary) } : {}),
  };
}

function marked(pair: Pair): Pair {
  const sides = truncatedSides(pair);
  return sides.length > 0 ? { ...pair, truncated: sides } : pair;
}

export type BoundedPair = { ok: true; pair: Pair; cut: boolean } | { ok: false; reason: string };

/**
 * The pair marked with its truncated sides and small enough for one message: when it is not,
 * every body is cut to a prefix plus the digest of the whole.
 */
export function boundPair(pair: Pair, maxBytes = MAX_PAIR_BYTES, prefixBytes = BODY_PREFIX_BYTES): BoundedPair {
  const size = (p: Pair) => Buffer.byteLength(JSON.stringify(p));
  const whole = marked(pair);
  if (size(whole) <= maxBytes) return { ok: true, pair: whole, cut: false };
  const cut = marked(withBodies(pair, (b) => cutBody(b, prefixBytes)));
  const cutSize = size(cut);
  if (cutSize <= maxBytes) return { ok: true, pair: cut, cut: true };
  return { ok: false, reason: `pair of ${cutSize} bytes with bodies cut to ${prefixBytes} bytes is still over the ${maxBytes} byte limit` };
}
