import { type ReplayErrorKind, type ReplayResult } from '@penumbra/contracts';
import { PenumbraError } from '@penumbra/errors';
import { Agent, type Dispatcher, util } from 'undici';
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

/**
 * The request could not be built or handed to the connection pool (a target or header value HTTP
 * cannot carry, a closed client): nothing reached the peer, so no fault of the peer's.
 */
export class UnsendableRequestError extends PenumbraError {
  constructor(reason: string, cause?: unknown) {
    super(`request could not be sent: ${reason}`, { code: 'REQUEST_UNSENDABLE', retriable: false, context: { reason }, cause });
  }
}

/**
 * Sends one request to a fixed origin and snapshots the answer. Whatever the peer does becomes a
 * result; only a request that could not be sent at all rejects (UnsendableRequestError).
 */
export interface HttpReplayClient {
  send(origin: string, request: ReplayRequest, limits: ReplayLimits): Promise<ReplayResult>;
  close(): Promise<void>;
}

export interface ReplayClientOptions {
  /** Keep-alive connections per origin. */
  connectionsPerOrigin: number;
  keepAliveTimeoutMs?: number;
  /** Bound on opening a connection; a black-holed target costs at most this. */
  connectTimeoutMs?: number;
  clock?: () => number;
}

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
    connect: { timeout: options.connectTimeoutMs ?? 2_000 },
  });
  const clock = options.clock ?? (() => performance.now());
  return {
    send(origin, request, limits) {
      const started = clock();
      const failed = (kind: ReplayErrorKind, message: string): ReplayResult => ({
        ok: false,
        error: { kind, message: message.slice(0, 2000), latencyMs: round(clock() - started) },
      });
      return new Promise<ReplayResult>((resolve, reject) => {
        let status = 0;
        let headers: Record<string, string> = {};
        const chunks: Buffer[] = [];
        let size = 0;
        let settled = false;
        const settle = (result: ReplayResult): void => {
          if (settled) return;
          settled = true;
          resolve(result);
        };
        // The dispatch API skips the per-request stream objects of request(): this is the hot path.
        let abort: ((err: Error) => void) | undefined;
        const handler: Dispatcher.DispatchHandler = {
          onConnect(abortRequest) {
            abort = abortRequest;
          },
          onHeaders(statusCode, rawHeaders) {
            status = statusCode;
            headers = flattenHeaders(util.parseHeaders(rawHeaders) as Record<string, string | string[] | undefined>);
            return true;
          },
          onData(chunk) {
            size += chunk.length;
            if (size > limits.maxResponseBytes) {
              settle(failed('too-large', `response over ${limits.maxResponseBytes} bytes`));
              abort?.(new PenumbraError('response too large', { code: 'RESPONSE_TOO_LARGE', retriable: false, context: { maxResponseBytes: limits.maxResponseBytes } }));
              return false;
            }
            chunks.push(chunk);
            return true;
          },
          onComplete() {
            const body = encodeBody(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), headers['content-type']);
            settle({ ok: true, response: { status, headers, ...(body ? { body } : {}), latencyMs: round(clock() - started) } });
          },
          onError(err) {
            const kind = classifyTransportError(err);
            settle(failed(kind, kind === 'timeout' ? `no complete answer within ${limits.timeoutMs} ms` : err.message || String(err)));
          },
        };
        try {
          agent.dispatch(
            {
              origin,
              path: request.pathAndQuery,
              method: request.method as Dispatcher.HttpMethod,
              headers: request.headers,
              body: request.body ?? null,
              headersTimeout: limits.timeoutMs,
              bodyTimeout: limits.timeoutMs,
            },
            handler,
          );
        } catch (err) {
          if (settled) return;
          settled = true;
          reject(new UnsendableRequestError(err instanceof Error ? err.message : String(err), err));
        }
      });
    },
    close: () => agent.close(),
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
