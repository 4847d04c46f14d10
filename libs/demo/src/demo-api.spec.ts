import { type DemoApi, type DemoScenario, startDemoApi } from './demo-api';
import { nextRequest } from './load-generator';

async function get(api: DemoApi, path: string): Promise<{ status: number; body: { data?: Record<string, unknown>; meta: { requestId: string; generatedAt: string } } }> {
  const r = await fetch(`${api.url}${path}`);
  return { status: r.status, body: (await r.json()) as never };
}

async function pair(scenario: DemoScenario, path: string) {
  const primary = await startDemoApi('primary', scenario);
  const candidate = await startDemoApi('candidate', scenario);
  try {
    return { primary: await get(primary, path), candidate: await get(candidate, path) };
  } finally {
    await primary.close();
    await candidate.close();
  }
}

describe('the demo shop API', () => {
  it('answers the same data from every copy in the clean scenario, with volatile fields that always differ', async () => {
    const { primary, candidate } = await pair('clean', '/orders/42');
    expect(primary.status).toBe(200);
    expect(candidate.body.data).toEqual(primary.body.data);
    expect(candidate.body.meta.requestId).not.toBe(primary.body.meta.requestId);
  });

  it('gets the order total wrong on the candidate in the regression scenario, and nothing else', async () => {
    const orders = await pair('regression', '/orders/42');
    expect(orders.candidate.body.data?.['total']).not.toEqual(orders.primary.body.data?.['total']);
    expect(orders.candidate.body.data?.['subtotal']).toEqual(orders.primary.body.data?.['subtotal']);
    const products = await pair('regression', '/products/42');
    expect(products.candidate.body.data).toEqual(products.primary.body.data);
  });

  it('answers 404 for what it does not serve', async () => {
    const { primary } = await pair('clean', '/nothing');
    expect(primary.status).toBe(404);
  });

  it('spreads the load over four endpoints and four tenants', () => {
    const first = Array.from({ length: 8 }, (_, i) => nextRequest(i));
    expect(new Set(first.map((r) => r.path.split('/')[1]?.split('?')[0])).size).toBe(4);
    expect(new Set(first.map((r) => r.tenant)).size).toBe(4);
  });
});
