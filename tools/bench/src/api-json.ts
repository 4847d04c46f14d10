/** Realistic API responses of a given size: an order list with nested customers, items and metadata. */
export function apiResponse(targetBytes: number, seed: number): Record<string, unknown> {
  let x = seed;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const order = (i: number) => ({
    id: 100_000 + i,
    status: ['paid', 'shipped', 'pending'][i % 3],
    createdAt: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`,
    customer: { id: `c-${i % 97}`, name: `Customer ${i % 97}`, tier: i % 5 === 0 ? 'gold' : 'standard', address: { city: 'Lisbon', country: 'PT', zip: `1${i % 1000}` } },
    items: Array.from({ length: 1 + (i % 4) }, (_, k) => ({
      sku: `sku-${(i * 7 + k) % 500}`,
      qty: 1 + (k % 3),
      price: Math.round(rnd() * 10_000) / 100,
      tags: ['a', 'b'].slice(0, 1 + (k % 2)),
    })),
    total: Math.round(rnd() * 100_000) / 100,
    flags: { gift: i % 7 === 0, express: i % 3 === 0 },
  });
  const body: Record<string, unknown> = { requestId: `req-${seed}`, page: 1, orders: [] as unknown[], meta: { generatedAt: '2026-11-22T10:00:00Z', version: 'v1' } };
  const orders = body['orders'] as unknown[];
  while (JSON.stringify(body).length < targetBytes) orders.push(order(orders.length));
  return body;
}

/** The same response with a few realistic changes: a volatile id, one price, one added field. */
export function changed(base: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(base) as { requestId: string; orders: Array<Record<string, unknown> & { items: Array<Record<string, unknown>> }> };
  copy.requestId = `${copy.requestId}-b`;
  const mid = copy.orders[Math.floor(copy.orders.length / 2)];
  if (mid) {
    const item = mid.items[0];
    if (item) item['price'] = Number(item['price']) + 1;
    mid['discount'] = 5;
  }
  return copy;
}
