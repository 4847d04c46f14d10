import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { Transform } from 'node:stream';
import { type Dispatcher, Agent } from 'undici';
import { BoundedTee, toTrafficRecord } from './capture-record';
import { type CapturePublisher } from './capture-publisher';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

export interface CaptureProxyOptions {
  /** Production, such as http://127.0.0.1:8080. */
  upstream: string;
  service: string;
  publisher: Pick<CapturePublisher, 'offer'>;
  /** Bytes of each body kept in the record; production always gets and returns the whole body. */
  maxBodyBytes?: number;
  /** Attributes for slicing and sampling, such as the tenant from a header. */
  attributes?: (req: IncomingMessage) => Record<string, string>;
  connections?: number;
}

function forwardable(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const connectionListed = String(headers['connection'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase());
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && !connectionListed.includes(k)) out[k] = v;
  return out;
}

/**
 * A reverse proxy in front of production: forwards each request, streams production's answer back
 * untouched, and only afterwards offers a TrafficRecord to the publisher (which never blocks).
 */
export function createCaptureProxy(options: CaptureProxyOptions): { server: Server; close(): Promise<void> } {
  const upstream = new URL(options.upstream);
  const agent = new Agent({ connections: options.connections ?? 256, keepAliveTimeout: 30_000 });
  const max = options.maxBodyBytes ?? 256 * 1024;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const startedAt = Date.now();
    const started = performance.now();
    const requestBody = new BoundedTee(max);
    const teed = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        requestBody.push(chunk);
        callback(null, chunk);
      },
    });
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    agent
      .request({
        origin: upstream.origin,
        path: req.url ?? '/',
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: { ...forwardable(req.headers), host: req.headers.host ?? upstream.host },
        body: hasBody ? req.pipe(teed) : undefined,
      })
      .then((up) => {
        res.writeHead(up.statusCode, forwardable(up.headers));
        const responseBody = new BoundedTee(max);
        up.body.on('data', (c: Buffer) => {
          responseBody.push(c);
          res.write(c);
        });
        up.body.on('end', () => {
          res.end();
          const record = toTrafficRecord({
            service: options.service,
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            requestHeaders: req.headers,
            requestBody,
            status: up.statusCode,
            responseHeaders: up.headers,
            responseBody,
            startedAt,
            latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
            attributes: options.attributes?.(req) ?? {},
          });
          if (record) options.publisher.offer(record);
        });
        up.body.on('error', () => res.destroy());
      })
      .catch(() => {
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end('bad gateway: production did not answer\n');
        } else res.destroy();
      });
  });
  return {
    server,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await agent.close();
    },
  };
}
