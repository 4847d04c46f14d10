import { compileRoutes, matchRoute, normalizeEndpoint } from './routes';

describe('routes', () => {
  const routes = compileRoutes(['/orders/:id', '/orders/recent', '/cart/**', '/files/*/meta']);

  it.each([
    ['/orders/42', '/orders/:id'],
    ['/orders/recent', '/orders/recent'],
    ['/orders/42/', '/orders/:id'],
    ['/cart', '/cart/**'],
    ['/cart/a/b/c', '/cart/**'],
    ['/files/x/meta', '/files/*/meta'],
    ['/orders/42?x=1', '/orders/:id'],
  ])('%s matches %s', (path, pattern) => {
    expect(matchRoute(routes, path)).toBe(pattern);
  });

  it.each(['/orders', '/orders/1/2', '/carts', '/files/x/y/meta', '/'])('%s matches nothing', (path) => {
    expect(matchRoute(routes, path)).toBeUndefined();
  });

  it('normalizes by template first, then by id-like segments', () => {
    expect(normalizeEndpoint('GET', '/orders/42', routes)).toBe('GET /orders/:id');
    expect(normalizeEndpoint('GET', '/users/123/posts/9f1c2d3e-1111-4a4b-9c9c-0123456789ab')).toBe('GET /users/:id/posts/:id');
    expect(normalizeEndpoint('GET', '/blobs/deadbeefdeadbeefdeadbeef')).toBe('GET /blobs/:id');
    expect(normalizeEndpoint('GET', '/s/Ab3dEf7hIj9kLm1nOp2qRs')).toBe('GET /s/:id');
    expect(normalizeEndpoint('GET', '/health/live')).toBe('GET /health/live');
    expect(normalizeEndpoint('POST', '/')).toBe('POST /');
  });
});
