import { z } from 'zod';

/** Epoch milliseconds. */
export const epochMs = z.number().int().nonnegative();

export const eventId = z.string().min(1).max(512);

export const experimentId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'must be 1-128 chars of lowercase letters, digits, ".", "_" or "-", starting with a letter or digit');

export const httpMethod = z.enum(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'CONNECT']);
export type HttpMethod = z.infer<typeof httpMethod>;
export const SAFE_METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'OPTIONS'];

/** Header names are lower-case; repeated headers are joined the way HTTP folds them. */
export const httpHeaders = z.record(z.string().regex(/^[a-z0-9!#$%&'*+.^_`|~-]+$/, 'header names must be lower-case tokens'), z.string());
export type HttpHeaders = z.infer<typeof httpHeaders>;

export const body = z.object({
  encoding: z.enum(['utf8', 'base64']),
  data: z.string(),
  /** True when capture kept only a prefix of the body. */
  truncated: z.boolean().default(false),
  /** With truncated: the sha256 (hex) and byte length of the whole body, when the mirror cut it to a prefix. */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  bytes: z.number().int().nonnegative().optional(),
});
export type Body = z.infer<typeof body>;

/** Attribute values that name a slice, such as { tenant: "acme", region: "eu" }. */
export const sliceValues = z.record(z.string(), z.string());
export type SliceValues = z.infer<typeof sliceValues>;

/** Latencies are bounded so that sums over a window stay finite and a corrupt value cannot skew a histogram. */
export const MAX_LATENCY_MS = 3_600_000;
export const latencyMs = z.number().finite().nonnegative().max(MAX_LATENCY_MS, 'must be at most one hour (3600000 ms)');

export const responseSnapshot = z.object({
  status: z.number().int().min(100).max(599),
  headers: httpHeaders.default({}),
  body: body.optional(),
  latencyMs,
});
export type ResponseSnapshot = z.infer<typeof responseSnapshot>;

export const replayErrorKind = z.enum(['timeout', 'connect', 'reset', 'overload', 'too-large', 'protocol']);
export type ReplayErrorKind = z.infer<typeof replayErrorKind>;

export const replayResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), response: responseSnapshot }),
  z.object({
    ok: z.literal(false),
    error: z.object({ kind: replayErrorKind, message: z.string().max(2000), latencyMs: latencyMs.optional() }),
  }),
]);
export type ReplayResult = z.infer<typeof replayResult>;

export const side = z.enum(['primary', 'candidate', 'secondary']);
export type Side = z.infer<typeof side>;
