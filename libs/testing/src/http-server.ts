import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestHttpServer {
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: SeenRequest[];
  /** TCP connections accepted, requests or not. */
  connections(): number;
  close(): Promise<void>;
}

export type TestHandler = (req: SeenRequest, res: ServerResponse, raw: IncomingMessage) => void;

/** A real HTTP server on a free loopback port that records what reaches it. */
export async function startHttpServer(handler: TestHandler = (_req, res) => res.end('ok')): Promise<TestHttpServer> {
  const requests: SeenRequest[] = [];
  let connections = 0;
  const server = createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      const seen = { method: raw.method ?? '', url: raw.url ?? '', headers: raw.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      handler(seen, res, raw);
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
