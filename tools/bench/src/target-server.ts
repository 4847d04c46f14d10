// A small JSON API for benchmarks, in a process of its own so that the load generators measured
// against it do not share its event loop. Prints its port on the first line.
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

const body = JSON.stringify({
  id: 42,
  items: [
    { sku: 'a-1', price: 19.99 },
    { sku: 'b-2', price: 5 },
  ],
  total: 24.99,
  currency: 'EUR',
});
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
