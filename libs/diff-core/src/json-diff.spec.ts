import fc from 'fast-check';
import { diffJson, DEFAULT_LIMITS } from './json-diff';
import { parseJsonText } from './json-text';
import { compileRules } from './rules';

const none = compileRules({});
const diff = (a: unknown, b: unknown, rules = none) => diffJson(a, b, rules).differences;
const parse = (t: string) => {
  const r = parseJsonText(t);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('diffJson kinds', () => {
  it('reports changed, type, missing and extra with JSONPath paths', () => {
    const a = { id: 1, total: 19.99, items: [{ sku: 'a', price: 5 }], tags: ['x'], gone: true, 'odd key': 1 };
    const b = { id: '1', total: 21.99, items: [{ sku: 'a', price: 6 }], tags: ['x', 'y'], added: null, 'odd key': 2 };
    expect(diff(a, b).sort((x, y) => x.path.localeCompare(y.path))).toEqual(
      [
        { path: '$.id', kind: 'type', primary: '1', candidate: '"1"' },
        { path: '$.total', kind: 'changed', primary: '19.99', candidate: '21.99' },
        { path: '$.items[0].price', kind: 'changed', primary: '5', candidate: '6' },
        { path: '$.tags[1]', kind: 'extra', candidate: '"y"' },
        { path: '$.gone', kind: 'missing', primary: 'true' },
        { path: '$.added', kind: 'extra', candidate: 'null' },
        { path: '$["odd key"]', kind: 'changed', primary: '1', candidate: '2' },
      ].sort((x, y) => x.path.localeCompare(y.path)),
    );
  });

  it('reports an array with the same elements in another order as one order difference', () => {
    expect(diff({ xs: [{ a: 1 }, { b: 2 }, 3] }, { xs: [3, { a: 1 }, { b: 2 }] })).toEqual([
      { path: '$.xs', kind: 'order', primary: '[{"a":1},{"b":2},3]', candidate: '[3,{"a":1},{"b":2}]' },
    ]);
  });

  it('compares the root itself', () => {
    expect(diff(1, 2)).toEqual([{ path: '$', kind: 'changed', primary: '1', candidate: '2' }]);
    expect(diff([], {})).toEqual([{ path: '$', kind: 'type', primary: '[]', candidate: '{}' }]);
    expect(diff(null, null)).toEqual([]);
  });
});

describe('diffJson rules', () => {
  it('ignores paths with wildcards and recursive descent', () => {
    const rules = compileRules({ ignore: ['$..requestId', '$.items[*].updatedAt', '$.meta.*'] });
    const a = { requestId: 'a', nested: { requestId: 'b', v: 1 }, items: [{ updatedAt: 1, n: 1 }], meta: { x: 1, y: 2 } };
    const b = { requestId: 'c', nested: { requestId: 'd', v: 1 }, items: [{ updatedAt: 2, n: 2 }], meta: { x: 9 } };
    expect(diff(a, b, rules)).toEqual([{ path: '$.items[0].n', kind: 'changed', primary: '1', candidate: '2' }]);
  });

  it('applies numeric tolerances to the paths named', () => {
    const rules = compileRules({ tolerances: { '$.total': 0.01, '$.items[*].price': 0.5 } });
    expect(diff({ total: 10, items: [{ price: 1 }], other: 1 }, { total: 10.005, items: [{ price: 1.4 }], other: 1.001 }, rules)).toEqual([
      { path: '$.other', kind: 'changed', primary: '1', candidate: '1.001' },
    ]);
    expect(diff({ total: 10 }, { total: 10.02 }, rules)).toHaveLength(1);
  });

  it('compares unordered arrays as multisets and diffs what does not pair up', () => {
    const rules = compileRules({ unordered: ['$.items'] });
    expect(diff({ items: [1, 2, 2, 3] }, { items: [3, 2, 1, 2] }, rules)).toEqual([]);
    expect(diff({ items: [1, 2, 2] }, { items: [2, 1, 1] }, rules)).toEqual([{ path: '$.items[2]', kind: 'changed', primary: '2', candidate: '1' }]);
    expect(diff({ items: [{ id: 1, v: 'a' }, { id: 2 }] }, { items: [{ id: 2 }, { id: 1, v: 'b' }, { id: 3 }] }, rules).sort((x, y) => x.path.localeCompare(y.path))).toEqual([
      { path: '$.items[0].v', kind: 'changed', primary: '"a"', candidate: '"b"' },
      { path: '$.items[2]', kind: 'extra', candidate: '{"id":3}' },
    ]);
  });

  it('never lets a redacted value out, at the path or below it', () => {
    const rules = compileRules({ redact: ['$.customer.email', '$..token'] });
    const out = diff({ customer: { email: 'a@x' }, auth: { token: 's1' }, secret: { token: { v: 1 } } }, { customer: { email: 'b@x' }, auth: { token: 's2' }, secret: {} }, rules);
    expect(out).toEqual(
      expect.arrayContaining([
        { path: '$.customer.email', kind: 'changed', primary: '<redacted>', candidate: '<redacted>' },
        { path: '$.auth.token', kind: 'changed', primary: '<redacted>', candidate: '<redacted>' },
        { path: '$.secret.token', kind: 'missing', primary: '<redacted>' },
      ]),
    );
    expect(JSON.stringify(out)).not.toMatch(/a@x|b@x|s1|s2/);
  });
});

describe('diffJson on hostile input', () => {
  it('walks 100,000 levels of nesting without a stack overflow, and reports too-large past the depth bound', () => {
    const deep = (leaf: number) => parse(`${'['.repeat(100_000)}${leaf}${']'.repeat(100_000)}`);
    const unbounded = diffJson(deep(1), deep(2), none, { ...DEFAULT_LIMITS, maxDepth: 200_000 });
    expect(unbounded.differences).toHaveLength(1);
    expect(unbounded.differences[0]?.path.startsWith('$[0][0]')).toBe(true);
    expect(diffJson(deep(1), deep(2), none).tooLarge).toBe(true);
  });

  it('treats __proto__ and constructor as ordinary keys without polluting prototypes', () => {
    const a = parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"x": 1}}}');
    const b = parse('{"__proto__": {"polluted": 2}, "constructor": 3}');
    const out = diff(a, b);
    expect(out).toEqual(
      expect.arrayContaining([
        { path: '$.__proto__.polluted', kind: 'changed', primary: '1', candidate: '2' },
        { path: '$.constructor', kind: 'type', primary: '{"prototype":{"x":1}}', candidate: '3' },
      ]),
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('keeps numbers beyond 2^53 and beyond the double range exact', () => {
    expect(diff(parse('{"n": 9007199254740993}'), parse('{"n": 9007199254740992}'))).toEqual([
      { path: '$.n', kind: 'changed', primary: '9007199254740993', candidate: '9007199254740992' },
    ]);
    expect(diff(parse('{"n": 1e400}'), parse('{"n": 2e400}'))).toHaveLength(1);
    expect(diff(parse('{"n": 1E+400, "s": "12345678901234567890"}'), parse('{"n": 1e400, "s": "12345678901234567890"}'))).toEqual([]);
    expect(diff(parse('[12345678901234567890]'), parse('[12345678901234567890]'))).toEqual([]);
  });

  it('treats NaN-like strings as strings', () => {
    expect(diff({ v: 'NaN' }, { v: 'NaN' })).toEqual([]);
    expect(diff({ v: 'NaN' }, { v: 0 })).toEqual([{ path: '$.v', kind: 'type', primary: '"NaN"', candidate: '0' }]);
  });

  it('bounds the differences listed and counts the rest, on huge arrays', () => {
    const a = Array.from({ length: 100_000 }, (_, i) => i);
    const b = a.map((v) => v + 1);
    const r = diffJson(a, b, none);
    expect(r.differences).toHaveLength(200);
    expect(r.omitted).toBe(99_800);
  });

  it('stops at the node bound and says the comparison is incomplete', () => {
    const big = Array.from({ length: 5000 }, (_, i) => ({ i }));
    expect(
      diffJson(
        big,
        big.map((x) => ({ ...x })),
        none,
        { ...DEFAULT_LIMITS, maxNodes: 1000 },
      ).tooLarge,
    ).toBe(true);
  });

  it('renders long values truncated', () => {
    const [d] = diff({ s: 'x'.repeat(1000) }, { s: 'y' });
    expect(d?.primary?.length).toBeLessThanOrEqual(201);
    expect(d?.primary?.endsWith('…')).toBe(true);
  });
});

describe('diffJson properties', () => {
  const json = fc.jsonValue({ maxDepth: 6 });

  it('finds no difference between a value and itself or a deep copy', () => {
    fc.assert(
      fc.property(json, (v) => {
        expect(diffJson(v, v, none).differences).toEqual([]);
        expect(diffJson(v, structuredClone(v), none).differences).toEqual([]);
        expect(diffJson(v, JSON.parse(JSON.stringify(v)), none).differences).toEqual([]);
      }),
    );
  });

  it('is symmetric in kind: missing and extra swap, the rest stay', () => {
    const swap: Record<string, string> = { missing: 'extra', extra: 'missing' };
    fc.assert(
      fc.property(json, json, (a, b) => {
        const ab = diffJson(a, b, none)
          .differences.map((d) => `${d.path} ${d.kind}`)
          .sort();
        const ba = diffJson(b, a, none)
          .differences.map((d) => `${d.path} ${swap[d.kind] ?? d.kind}`)
          .sort();
        expect(ab).toEqual(ba);
      }),
    );
  });

  it('never reports an ignored path or anything below it', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'c', 'secret'), json), fc.dictionary(fc.constantFrom('a', 'b', 'c', 'secret'), json), (a, b) => {
        const out = diffJson(a, b, compileRules({ ignore: ['$.secret', '$..c'] })).differences;
        expect(out.filter((d) => d.path.startsWith('$.secret') || /\.c(\.|\[|$)/.test(d.path))).toEqual([]);
      }),
    );
  });

  it('finds a difference whenever the values differ', () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        const r = diffJson(a, b, none);
        const sortedEqual = (x: unknown, y: unknown) => JSON.stringify(sortKeys(x)) === JSON.stringify(sortKeys(y));
        expect(r.differences.length > 0 || sortedEqual(a, b)).toBe(true);
      }),
    );
  });
});

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return Object.is(v, -0) ? 0 : v;
}
