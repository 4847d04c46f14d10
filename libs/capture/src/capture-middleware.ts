import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type CaptureOptions, beginCapture } from './capture-record';

export type CaptureMiddlewareOptions = CaptureOptions;

/**
 * Connect/Express-style middleware for Node HTTP servers: copies what the app answers (bounded)
 * and offers a TrafficRecord once the response is finished. The response itself is untouched.
 */
export function captureMiddleware(options: CaptureMiddlewareOptions): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  return (req, res, next) => {
    const { requestBody, responseBody, finish } = beginCapture(req, options);
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
    res.once('finish', () => finish(res.statusCode, res.getHeaders() as Record<string, string | string[] | number | undefined>));
    next();
  };
}
