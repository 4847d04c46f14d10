import { jsonBoundsViolation } from './json-bounds';

const nested = (depth: number) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('jsonBoundsViolation', () => {
  it('accepts ordinary events and values at the bound', () => {
    expect(jsonBoundsViolation({ a: [1, 'x', { b: null }] })).toBeUndefined();
    expect(jsonBoundsViolation(nested(256))).toBeUndefined();
    expect(jsonBoundsViolation('scalar')).toBeUndefined();
  });

  it('refuses a value nested 100,000 deep, iteratively', () => {
    expect(jsonBoundsViolation(nested(100_000))).toBe('value is nested deeper than 256 levels');
    expect(jsonBoundsViolation({ details: nested(10_000) }, { maxDepth: 64, maxNodes: 1000 })).toBe('value is nested deeper than 64 levels');
  });

  it('refuses a value with too many nodes, wide or deep', () => {
    expect(jsonBoundsViolation(new Array(2000).fill(0), { maxDepth: 10, maxNodes: 1000 })).toBe('value has more than 1000 JSON nodes');
    expect(jsonBoundsViolation({ a: new Array(600).fill({}), b: new Array(600).fill({}) }, { maxDepth: 10, maxNodes: 1000 })).toBe('value has more than 1000 JSON nodes');
  });
});
