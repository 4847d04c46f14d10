import { createHash } from 'node:crypto';
import { type Body } from '@penumbra/contracts';
import { type DiffLimits, type FoundDifference, DEFAULT_LIMITS, diffJson } from './json-diff';
import { type ParsedJson, parseJsonText } from './json-text';
import { REDACTED } from './render';
import { type CompiledRules, matched } from './rules';

export interface ComparableResponse {
  status: number;
  headers: Record<string, string>;
  body?: Body | undefined;
}

export interface ResponseDiffOptions {
  rules: CompiledRules;
  /** Headers to compare (lower-case). */
  headers: readonly string[];
  maxBodyBytes: number;
  limits?: DiffLimits;
}

export interface ResponseDiff {
  statusMatch: boolean;
  differences: FoundDifference[];
  omitted: number;
  /** A body or its tree exceeded the bounds: the comparison is incomplete. */
  tooLarge: boolean;
}

type Decoded = { kind: 'none' } | { kind: 'text'; text: string } | { kind: 'binary'; bytes: Buffer };

/** A response whose body is decoded and parsed at most once, however many comparisons it takes part in. */
export class PreparedResponse implements ComparableResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Body | undefined;
  private decodedBody: Decoded | undefined;
  private parsedBody: ParsedJson | undefined;

  constructor(r: ComparableResponse) {
    this.status = r.status;
    this.headers = r.headers;
    this.body = r.body;
  }

  get decoded(): Decoded {
    return (this.decodedBody ??= decode(this.body));
  }

  /** The body parsed as JSON; only asked of a text body. */
  get parsed(): ParsedJson {
    const d = this.decoded;
    return (this.parsedBody ??= parseJsonText(d.kind === 'text' ? d.text : ''));
  }
}

export function prepareResponse(r: ComparableResponse): PreparedResponse {
  return r instanceof PreparedResponse ? r : new PreparedResponse(r);
}

function decode(body: Body | undefined): Decoded {
  if (!body || body.data === '') return { kind: 'none' };
  return body.encoding === 'utf8' ? { kind: 'text', text: body.data } : { kind: 'binary', bytes: Buffer.from(body.data, 'base64') };
}

function bodyBytes(body: Body | undefined): number {
  if (!body) return 0;
  return body.encoding === 'utf8' ? body.data.length : Math.floor((body.data.length * 3) / 4);
}

const JSON_TYPE = /[/+]json\b/i;

function claimsJson(r: ComparableResponse, d: Decoded): boolean {
  const type = r.headers['content-type'];
  if (type !== undefined) return JSON_TYPE.test(type);
  return d.kind === 'text' && /^\s*[[{]/.test(d.text);
}

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max)}…` : s);

/**
 * Whether the same text on both sides is certainly equal without parsing: the walk could not have
 * hit the depth bound (it has no more opening brackets than that) nor the node bound (each value
 * takes at least one character). Past these, the bodies are compared as before, so that a body
 * too large to compare is reported as such even when both sides send it.
 */
function sameTextWithinBounds(text: string, limits: DiffLimits): boolean {
  if (text.length > limits.maxNodes) return false;
  let opened = 0;
  for (const bracket of ['{', '[']) {
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1)) if (++opened > limits.maxDepth) return false;
  }
  return true;
}

/**
 * Compares status, the listed headers and the body of two responses. Never throws. Pass a
 * PreparedResponse for a side compared more than once, so that its body is parsed once.
 */
export function diffResponses(primary: ComparableResponse, candidate: ComparableResponse, options: ResponseDiffOptions): ResponseDiff {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const differences: FoundDifference[] = [];
  const statusMatch = primary.status === candidate.status;
  if (!statusMatch) differences.push({ path: 'status', kind: 'status', primary: String(primary.status), candidate: String(candidate.status) });
  for (const name of options.headers) {
    const a = primary.headers[name];
    const b = candidate.headers[name];
    if (a === b) continue;
    const d: FoundDifference = { path: `header:${name}`, kind: 'header' };
    if (a !== undefined) d.primary = clip(a, limits.maxValueChars);
    if (b !== undefined) d.candidate = clip(b, limits.maxValueChars);
    differences.push(d);
  }
  if (bodyBytes(primary.body) > options.maxBodyBytes || bodyBytes(candidate.body) > options.maxBodyBytes) {
    return { statusMatch, differences, omitted: 0, tooLarge: true };
  }
  const pb = primary.body;
  const cb = candidate.body;
  if (pb && cb && pb.data === cb.data && pb.encoding === cb.encoding && (pb.encoding !== 'utf8' || sameTextWithinBounds(pb.data, limits))) {
    return { statusMatch, differences, omitted: 0, tooLarge: false };
  }
  const body = diffBodies(prepareResponse(primary), prepareResponse(candidate), options.rules, limits);
  return { statusMatch, differences: [...differences, ...body.differences], omitted: body.omitted, tooLarge: body.tooLarge };
}

function diffBodies(
  primary: PreparedResponse,
  candidate: PreparedResponse,
  rules: CompiledRules,
  limits: DiffLimits,
): { differences: FoundDifference[]; omitted: number; tooLarge: boolean } {
  const a = primary.decoded;
  const b = candidate.decoded;
  const none = { differences: [], omitted: 0, tooLarge: false };
  const redactRoot = matched(rules, rules.root, 'redact') !== undefined;
  const show = (s: string) => (redactRoot ? REDACTED : clip(s, limits.maxValueChars));
  if (a.kind === 'none' && b.kind === 'none') return none;
  if (a.kind === 'none' || b.kind === 'none') {
    const present = a.kind === 'none' ? b : a;
    const text = present.kind === 'text' ? present.text : `${(present as { bytes: Buffer }).bytes.length} bytes`;
    return { ...none, differences: [{ path: '$', kind: a.kind === 'none' ? 'extra' : 'missing', ...(a.kind === 'none' ? { candidate: show(text) } : { primary: show(text) }) }] };
  }
  if (a.kind === 'text' && b.kind === 'text' && (claimsJson(primary, a) || claimsJson(candidate, b))) {
    const pa = primary.parsed;
    const pb = candidate.parsed;
    if ((pa.ok === false && pa.reason === 'too-deep') || (pb.ok === false && pb.reason === 'too-deep')) return { ...none, tooLarge: true };
    if (pa.ok && pb.ok) return diffJson(pa.value, pb.value, rules, limits);
    if (pa.ok !== pb.ok)
      return {
        ...none,
        differences: [{ path: '$', kind: 'type', primary: show(pa.ok ? a.text : `invalid JSON: ${a.text}`), candidate: show(pb.ok ? b.text : `invalid JSON: ${b.text}`) }],
      };
  }
  if (a.kind === 'text' && b.kind === 'text')
    return a.text === b.text ? none : { ...none, differences: [{ path: '$', kind: 'changed', primary: show(a.text), candidate: show(b.text) }] };
  const hash = (d: Decoded) => (d.kind === 'text' ? createHash('sha256').update(d.text, 'utf8') : createHash('sha256').update((d as { bytes: Buffer }).bytes)).digest('hex');
  const ha = hash(a);
  const hb = hash(b);
  if (ha === hb) return none;
  return { ...none, differences: [{ path: '$', kind: a.kind === b.kind ? 'changed' : 'type', primary: `sha256:${ha}`, candidate: `sha256:${hb}` }] };
}
