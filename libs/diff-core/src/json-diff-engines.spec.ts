import fc from 'fast-check';
import { DEFAULT_LIMITS } from './diff-values';
import { diffJson, RECURSION_LIMIT } from './json-diff';
import { diffJsonDeep } from './json-diff-deep';
import { compileRules } from './rules';

/** Small trees over a few keys, so that rules hit and bodies often share their shape. */
const key = fc.constantFrom('a', 'b', 'c', 'id', 'items');
const leaf = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, 1.25, -0, 'x', 'y', true, false, null));
const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('tree'), { maxLength: 4 }), fc.dictionary(key, tie('tree'), { maxKeys: 4 })),
}));
const rules = fc
  .record({
    ignore: fc.subarray(['$.a', '$..id', '$.items[*].b', '$.c.*']),
    tolerances: fc.subarray(['$..a', '$.items[0]', '$.b']).map((ps) => Object.fromEntries(ps.map((p) => [p, 0.5]))),
    unordered: fc.subarray(['$.items', '$..b', '$']),
    redact: fc.subarray(['$..c', '$.a.b', '$.items[1]']),
  })
  .map((set) => compileRules(set));
/** The same value with the keys of every object in another order. */
function reorder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reorder);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .reverse()
        .map((k) => [k, reorder((v as Record<string, unknown>)[k])]),
    );
  return v;
}
/** The same value with every array reversed: reorders for the `order` kind and unordered rules. */
function reverseArrays(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseArrays).reverse();
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reverseArrays(x)]));
  return v;
}
const sorted = (r: ReturnType<typeof diffJson>) => ({ ...r, differences: r.differences.map((d) => JSON.stringify(d)).sort() });
/** Rendered values keep their key order, so only paths and kinds are compared across orders. */
const where = (r: ReturnType<typeof diffJson>) => ({ ...r, differences: r.differences.map((d) => `${d.path} ${d.kind}`).sort() });

describe('the recursive engine', () => {
  it('finds what the iterative engine finds, under every kind of rule', () => {
    fc.assert(
      fc.property(tree, tree, rules, (a, b, r) => {
        expect(sorted(diffJson(a, b, r))).toEqual(sorted(diffJsonDeep(a, b, r, DEFAULT_LIMITS)));
        expect(sorted(diffJson(a, reverseArrays(a), r))).toEqual(sorted(diffJsonDeep(a, reverseArrays(a), r, DEFAULT_LIMITS)));
      }),
      { numRuns: 500 },
    );
  });

  it('finds the same whether or not two objects list their keys in the same order', () => {
    fc.assert(
      fc.property(tree, tree, rules, (a, b, r) => {
        expect(where(diffJson(a, reorder(b), r))).toEqual(where(diffJson(a, b, r)));
        expect(where(diffJson(a, structuredClone(a), r))).toEqual(where(diffJson(a, reorder(a), r)));
      }),
    );
  });

  it('recurses to its limit without exhausting the stack, and hands deeper bounds to the iterative engine', () => {
    const nest = (depth: number, leafValue: number) => {
      let v: unknown = leafValue;
      for (let i = 0; i < depth; i += 1) v = i % 2 ? [v] : { k: v };
      return v;
    };
    const limits = { ...DEFAULT_LIMITS, maxDepth: RECURSION_LIMIT };
    expect(diffJson(nest(RECURSION_LIMIT, 1), nest(RECURSION_LIMIT, 2), compileRules({}), limits)).toMatchObject({ tooLarge: false, differences: [{ kind: 'changed' }] });
    expect(diffJson(nest(RECURSION_LIMIT + 5, 1), nest(RECURSION_LIMIT + 5, 2), compileRules({}), limits).tooLarge).toBe(true);
    // Run with almost no stack left: the recursion overflows and the iterative engine answers.
    const withLittleStack = <T>(f: () => T): T => {
      try {
        return withLittleStack(f);
      } catch {
        return f();
      }
    };
    expect(withLittleStack(() => diffJson(nest(RECURSION_LIMIT, 1), nest(RECURSION_LIMIT, 2), compileRules({}), limits))).toMatchObject({
      tooLarge: false,
      differences: [{ kind: 'changed' }],
    });
    const deeper = { ...DEFAULT_LIMITS, maxDepth: 50_000 };
    expect(diffJson(nest(20_000, 1), nest(20_000, 2), compileRules({}), deeper)).toMatchObject({ tooLarge: false, differences: [{ kind: 'changed' }] });
  });
});
