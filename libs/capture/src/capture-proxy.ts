import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { Transform } from 'node:stream';
import { type Dispatcher, Agent } from 'undici';
import { type CaptureOptions, beginCapture } from './capture-record';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

export interface CaptureProxyOptions extends CaptureOptions {
  /** Production, such as http://127.0.0.1:8080. */
  upstream: string;
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

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const { requestBody, responseBody, finish } = beginCapture(req, options);
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
        up.body.on('data', (c: Buffer) => {
          responseBody.push(c);
          res.write(c);
        });
        up.body.on('end', () => {
          res.end();
          finish(up.statusCode, up.headers);
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
