import { type IncomingMessage, type ServerResponse } from 'node:http';
import { BoundedTee, toTrafficRecord } from './capture-record';
import { type CapturePublisher } from './capture-publisher';

export interface CaptureMiddlewareOptions {
  service: string;
  publisher: Pick<CapturePublisher, 'offer'>;
  maxBodyBytes?: number;
  attributes?: (req: IncomingMessage) => Record<string, string>;
}

/**
 * Connect/Express-style middleware for Node HTTP servers: copies what the app answers (bounded)
 * and offers a TrafficRecord once the response is finished. The response itself is untouched.
 */
export function captureMiddleware(options: CaptureMiddlewareOptions): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const max = options.maxBodyBytes ?? 256 * 1024;
  return (req, res, next) => {
    const startedAt = Date.now();
    const started = performance.now();
    const requestBody = new BoundedTee(max);
    const responseBody = new BoundedTee(max);
    req.on('data', (c: Buffer) => requestBody.push(c));
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) responseBody.push(chunk);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) responseBody.push(chunk);
      return end(chunk, ...rest);
    }) as typeof res.end;
    res.once('finish', () => {
      const record = toTrafficRecord({
        service: options.service,
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        requestHeaders: req.headers,
        requestBody,
        status: res.statusCode,
        responseHeaders: res.getHeaders() as Record<string, string | string[] | number | undefined>,
        responseBody,
        startedAt,
        latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
        attributes: options.attributes?.(req) ?? {},
      });
      if (record) options.publisher.offer(record);
    });
    next();
  };
}
