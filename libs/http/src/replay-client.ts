import { type ReplayErrorKind, type ReplayResult } from '@penumbra/contracts';
import { Agent } from 'undici';
import { encodeBody, flattenHeaders } from './body-encoding';

export interface ReplayRequest {
  method: string;
  /** Origin-form request target, already made safe (see safeReplayPath). */
  pathAndQuery: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface ReplayLimits {
  timeoutMs: number;
  maxResponseBytes: number;
}

/** Sends one request to a fixed origin and snapshots the answer; never throws. */
export interface HttpReplayClient {
  send(origin: string, request: ReplayRequest, limits: ReplayLimits): Promise<ReplayResult>;
  close(): Promise<void>;
}

export interface ReplayClientOptions {
  /** Keep-alive connections per origin. */
  connectionsPerOrigin: number;
  keepAliveTimeoutMs?: number;
  clock?: () => number;
}

class TooLarge extends Error {}

export function classifyTransportError(err: unknown): ReplayErrorKind {
  const e = err as { code?: string; name?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EADDRNOTAVAIL'].includes(code)) return 'connect';
  if (['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED'].includes(code)) return 'reset';
  return 'protocol';
}

/**
 * Replays over keep-alive pools (undici). The origin is always the caller's: redirects are not
 * followed, and the request target is sent as given, in origin form.
 */
export function createReplayClient(options: ReplayClientOptions): HttpReplayClient {
  const agent = new Agent({
    connections: options.connectionsPerOrigin,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    pipelining: 1,
  });
  const clock = options.clock ?? (() => performance.now());
  return {
    async send(origin, request, limits) {
      const started = clock();
      const signal = AbortSignal.timeout(limits.timeoutMs);
      try {
        const res = await agent.request({
          origin,
          path: request.pathAndQuery,
          method: request.method as 'GET',
          headers: request.headers,
          body: request.body,
          signal,
          headersTimeout: limits.timeoutMs,
          bodyTimeout: limits.timeoutMs,
        });
        const chunks: Buffer[] = [];
        let size = 0;
        try {
          for await (const chunk of res.body) {
            const buf = chunk as Buffer;
            size += buf.length;
            if (size > limits.maxResponseBytes) throw new TooLarge();
            chunks.push(buf);
          }
        } catch (err) {
          res.body.destroy();
          throw err;
        }
        const headers = flattenHeaders(res.headers);
        const body = encodeBody(Buffer.concat(chunks), headers['content-type']);
        return { ok: true, response: { status: res.statusCode, headers, ...(body ? { body } : {}), latencyMs: round(clock() - started) } };
      } catch (err) {
        const latencyMs = round(clock() - started);
        if (err instanceof TooLarge) return { ok: false, error: { kind: 'too-large', message: `response over ${limits.maxResponseBytes} bytes`, latencyMs } };
        const kind = classifyTransportError(err);
        const message = kind === 'timeout' ? `no complete answer within ${limits.timeoutMs} ms` : (err as Error).message || String(err);
        return { ok: false, error: { kind, message: message.slice(0, 2000), latencyMs } };
      }
    },
    close: () => agent.close(),
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
