import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

export type DemoScenario = 'regression' | 'clean' | 'slow' | 'replay' | 'corpus';
export const DEMO_SCENARIOS: readonly DemoScenario[] = ['regression', 'clean', 'slow', 'replay', 'corpus'];
export type DemoVariant = 'primary' | 'secondary' | 'candidate';

export interface DemoApi {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Deterministic per id, so the three copies agree on everything but what the scenario changes. */
function seeded(id: number, salt: number): number {
  const x = Math.sin(id * 12.9898 + salt * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

const PRODUCTS = ['lamp', 'desk', 'chair', 'shelf', 'rug', 'mirror', 'sofa', 'stool'];

function product(id: number) {
  return {
    id,
    name: `${PRODUCTS[id % PRODUCTS.length]}-${id}`,
    price: Math.round(seeded(id, 1) * 20_000) / 100,
    stock: Math.floor(seeded(id, 2) * 50),
    tags: ['home', id % 2 === 0 ? 'wood' : 'metal'],
  };
}

function order(id: number, bug: boolean) {
  const lines = [1, 2, 3].slice(0, 1 + (id % 3)).map((k) => ({ productId: (id * 7 + k) % 500, quantity: 1 + ((id + k) % 3) }));
  const subtotal = lines.reduce((s, l) => s + product(l.productId).price * l.quantity, 0);
  // The regression: the candidate applies the tax rate twice.
  const tax = Math.round(subtotal * (bug ? 0.2 * 1.2 : 0.2) * 100) / 100;
  return {
    id,
    status: id % 5 === 0 ? 'shipped' : 'open',
    lines,
    subtotal: Math.round(subtotal * 100) / 100,
    tax,
    total: Math.round((subtotal + tax) * 100) / 100,
    currency: 'EUR',
  };
}

function user(id: number) {
  return { id, name: `user-${id}`, tier: id % 4 === 0 ? 'gold' : 'standard', addresses: [{ city: ['Lyon', 'Turin', 'Porto'][id % 3], zip: String(10_000 + (id % 9000)) }] };
}

/** Service time: 15-25 ms, 40% more for a slow candidate. */
function delayMs(slow: boolean): number {
  const base = 15 + Math.random() * 10;
  return slow ? base * 1.4 : base;
}

/**
 * A small shop API. Every response carries volatile fields (a request id and the time it was made)
 * that differ between any two copies; the scenario decides how the candidate differs besides.
 */
export function startDemoApi(variant: DemoVariant, scenario: DemoScenario, port = 0): Promise<DemoApi> {
  const candidate = variant === 'candidate';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const parts = url.pathname.split('/').filter(Boolean);
    const id = Number(parts[1]);
    let body: unknown;
    if (parts.length === 2 && Number.isInteger(id) && id >= 0) {
      if (parts[0] === 'products') body = product(id);
      else if (parts[0] === 'orders') body = order(id, candidate && (scenario === 'regression' || scenario === 'replay' || scenario === 'corpus'));
      else if (parts[0] === 'users') body = user(id);
    } else if (url.pathname === '/search') {
      const q = url.searchParams.get('q') ?? '';
      body = { q, results: PRODUCTS.filter((p) => p.includes(q)).map((p, i) => ({ name: p, score: Math.round((1 - i * 0.1) * 100) / 100 })) };
    }
    const status = body === undefined ? 404 : 200;
    const payload = JSON.stringify({ ...(body === undefined ? { error: 'not found' } : { data: body }), meta: { requestId: randomUUID(), generatedAt: new Date().toISOString() } });
    setTimeout(
      () => {
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
        res.end(payload);
      },
      delayMs(candidate && scenario === 'slow'),
    );
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      const close = () =>
        new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
      resolve({ url: `http://127.0.0.1:${bound}`, server, close });
    });
  });
}
