import { randomUUID } from 'node:crypto';
import { type HttpMethod, type TrafficRecord, httpMethod } from '@penumbra/contracts';
import { type IncomingMessage } from 'node:http';
import { encodeBody, flattenHeaders } from '@penumbra/http';
import { type CapturePublisher } from './capture-publisher';
import { type CredentialOptions, type CredentialProtector, credentialProtector } from './credentials';

/** Keeps the first `max` bytes of a stream's chunks, and whether anything was cut. */
export class BoundedTee {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly max: number) {}

  push(chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.size >= this.max) {
      this.truncated = this.truncated || buf.length > 0;
      return;
    }
    const room = this.max - this.size;
    if (buf.length > room) this.truncated = true;
    const kept = buf.length > room ? buf.subarray(0, room) : buf;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export interface CapturedExchange {
  service: string;
  method: string;
  url: string;
  requestHeaders: Record<string, string | string[] | undefined>;
  requestBody: BoundedTee;
  status: number;
  responseHeaders: Record<string, string | string[] | number | undefined>;
  responseBody: BoundedTee;
  startedAt: number;
  latencyMs: number;
  attributes: Record<string, string>;
}

/**
 * A TrafficRecord from what a tee saw, or undefined for a method the contract does not know.
 * Credential headers are hashed or dropped by `protect` before anything is recorded.
 */
export function toTrafficRecord(x: CapturedExchange, protect: CredentialProtector = credentialProtector()): TrafficRecord | undefined {
  const method = httpMethod.safeParse((x.method || 'GET').toUpperCase());
  if (!method.success) return undefined;
  const [path = '/', query = ''] = x.url.split(/\?(.*)/s);
  const reqHeaders = protect(flattenHeaders(x.requestHeaders));
  const resHeaders = protect(flattenHeaders(Object.fromEntries(Object.entries(x.responseHeaders).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]))));
  const reqBody = encodeBody(x.requestBody.bytes(), reqHeaders['content-type']);
  const resBody = encodeBody(x.responseBody.bytes(), resHeaders['content-type']);
  return {
    type: 'traffic.v1',
    id: randomUUID(),
    ts: x.startedAt,
    service: x.service,
    request: {
      method: method.data as HttpMethod,
      path: path.startsWith('/') ? path : `/${path}`,
      query,
      headers: reqHeaders,
      ...(reqBody ? { body: { ...reqBody, truncated: x.requestBody.truncated } } : {}),
    },
    response: { status: x.status, headers: resHeaders, ...(resBody ? { body: { ...resBody, truncated: x.responseBody.truncated } } : {}), latencyMs: x.latencyMs },
    attributes: x.attributes,
  };
}

export interface CaptureOptions {
  service: string;
  publisher: Pick<CapturePublisher, 'offer'>;
  /** Bytes of each body kept in the record; production always gets and returns the whole body. */
  maxBodyBytes?: number;
  /** Attributes for slicing and sampling, such as the tenant from a header. */
  attributes?: (req: IncomingMessage) => Record<string, string>;
  /** How credential headers are kept out of the record: hashed by default. */
  credentials?: CredentialOptions;
}

// One protector (and so one hash key) per tee or middleware, so equal tokens hash equally across its records.
const protectors = new WeakMap<CaptureOptions, CredentialProtector>();
function protectorFor(options: CaptureOptions): CredentialProtector {
  let protect = protectors.get(options);
  if (protect === undefined) {
    protect = credentialProtector(options.credentials);
    protectors.set(options, protect);
  }
  return protect;
}

/** Starts capturing one exchange: bounded copies of both bodies, and finish() offers the record. */
export function beginCapture(req: IncomingMessage, options: CaptureOptions) {
  const startedAt = Date.now();
  const started = performance.now();
  const max = options.maxBodyBytes ?? 256 * 1024;
  const requestBody = new BoundedTee(max);
  const responseBody = new BoundedTee(max);
  const protect = protectorFor(options);
  return {
    requestBody,
    responseBody,
    finish(status: number, responseHeaders: CapturedExchange['responseHeaders']): void {
      const record = toTrafficRecord(
        {
          service: options.service,
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          requestHeaders: req.headers,
          requestBody,
          status,
          responseHeaders,
          responseBody,
          startedAt,
          latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
          attributes: options.attributes?.(req) ?? {},
        },
        protect,
      );
      if (record) options.publisher.offer(record);
    },
  };
}
