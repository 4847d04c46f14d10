import { type AddressInfo } from 'node:net';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createReplayClient, type HttpReplayClient } from './replay-client';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ origin: string; server: Server; connections: () => number }> {
  let connections = 0;
  const server = createServer(handler);
  server.on('connection', () => (connections += 1));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, connections: () => connections };
}

const close = (server: Server) =>
  new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
const limits = { timeoutMs: 500, maxResponseBytes: 1024 };

describe('replay client against local HTTP servers', () => {
  let client: HttpReplayClient;
  beforeEach(() => {
    client = createReplayClient({ connectionsPerOrigin: 4 });
  });
  afterEach(async () => {
    await client.close();
  });

  it('sends method, path, headers and body, and snapshots the answer', async () => {
    const seen: Array<{ method?: string; url?: string; headers: Record<string, unknown>; body: string }> = [];
    const { origin, server } = await serve((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(201, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
        res.end('{"ok":true}');
      });
    });
    const r = await client.send(origin, { method: 'POST', pathAndQuery: '/a/b?x=1', headers: { 'x-shadow-request': 'e' }, body: Buffer.from('hi') }, limits);
    expect(r).toMatchObject({
      ok: true,
      response: { status: 201, headers: { 'content-type': 'application/json', 'x-multi': 'a, b' }, body: { encoding: 'utf8', data: '{"ok":true}' } },
    });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/a/b?x=1', body: 'hi', headers: { 'x-shadow-request': 'e', host: origin.slice(7) } });
    await close(server);
  });

  it('reuses keep-alive connections', async () => {
    const { origin, server, connections } = await serve((_req, res) => res.end('x'));
    for (let i = 0; i < 20; i += 1) await client.send(origin, { method: 'GET', pathAndQuery: '/', headers: {} }, limits);
    expect(connections()).toBeLessThanOrEqual(2);
    await close(server);
  });

  it('does not follow redirects', async () => {
    let trapped = 0;
    const trap = await serve((_req, res) => {
      trapped += 1;
      res.end();
    });
    const { origin, server } = await serve((_req, res) => {
      res.writeHead(302, { location: `${trap.origin}/stolen` });
      res.end();
    });
    const r = await client.send(origin, { method: 'GET', pathAndQuery: '/', headers: {} }, limits);
    expect(r).toMatchObject({ ok: true, response: { status: 302 } });
    expect(trapped).toBe(0);
    await close(server);
    await close(trap.server);
  });

  it('reports a timeout, a refusal, a reset and a too-large answer as error outcomes', async () => {
    const slow = await serve(() => undefined);
    const reset = await serve((req) => req.socket.destroy());
    const big = await serve((_req, res) => res.end('x'.repeat(5000)));
    const refused = await serve(() => undefined);
    await close(refused.server);

    const send = (origin: string) => client.send(origin, { method: 'GET', pathAndQuery: '/', headers: {} }, limits);
    const [t, c, rs, tl] = await Promise.all([send(slow.origin), send(refused.origin), send(reset.origin), send(big.origin)]);
    expect(t).toMatchObject({ ok: false, error: { kind: 'timeout', message: 'no complete answer within 500 ms' } });
    expect(c).toMatchObject({ ok: false, error: { kind: 'connect' } });
    expect(rs).toMatchObject({ ok: false, error: { kind: 'reset' } });
    expect(tl).toMatchObject({ ok: false, error: { kind: 'too-large' } });
    if (!t.ok) expect(t.error.latencyMs).toBeGreaterThanOrEqual(450);
    await Promise.all([close(slow.server), close(reset.server), close(big.server)]);
  });

  it('keeps binary bodies as base64', async () => {
    const { origin, server } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from([0, 255, 1]));
    });
    const r = await client.send(origin, { method: 'GET', pathAndQuery: '/', headers: {} }, limits);
    expect(r).toMatchObject({ ok: true, response: { body: { encoding: 'base64', data: 'AP8B' } } });
    await close(server);
  });
});
