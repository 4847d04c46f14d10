import fc from 'fast-check';
import { diffJson } from './json-diff';
import { isExactNumber, parseJsonText } from './json-text';
import { compileRules } from './rules';

const none = compileRules({});
const parse = (t: string) => {
  const r = parseJsonText(t);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
/** A big number in the same body makes the parser take its exact path. */
const BIG = '12345678901234567890';

describe('exact numbers', () => {
  it('does not let the string "\\u0000#5" pass for the number 5', () => {
    const a = parse(`{"v": 5, "pad": ${BIG}}`);
    const b = parse(`{"v": "\\u0000#5", "pad": ${BIG}}`);
    expect(diffJson(a, b, none).differences).toEqual([{ path: '$.v', kind: 'type', primary: '5', candidate: '"\\u0000#5"' }]);
    const big = parse(`{"v": ${BIG}}`);
    const forged = parse(`{"v": "\\u0000#${BIG}"}`);
    expect(diffJson(big, forged, none).differences).toEqual([{ path: '$.v', kind: 'type', primary: BIG, candidate: `"\\u0000#${BIG}"` }]);
  });

  it('keeps strings and keys that start with NUL as they were', () => {
    const v = parse(`{"\\u0000#k": "\\u0000$x", "s": "\\u0000#1", "__proto__": "\\u0000#2", "n": ${BIG}, "xs": ["\\u0000", ${BIG}]}`) as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['\u0000#k', 's', '__proto__', 'n', 'xs']);
    expect(v['\u0000#k']).toBe('\u0000$x');
    expect(v['s']).toBe('\u0000#1');
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).toBe('\u0000#2');
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(isExactNumber(v['n'])).toBe(true);
    expect((v['xs'] as unknown[])[0]).toBe('\u0000');
    expect(isExactNumber((v['xs'] as unknown[])[1])).toBe(true);
  });

  const strings = fc.oneof(
    fc.string(),
    fc.string().map((s) => `\u0000#${s}`),
    fc.string().map((s) => `\u0000$${s}`),
    fc.bigInt().map((n) => `\u0000#${n}`),
  );
  const numbers = fc.oneof(
    fc.bigInt().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
    fc.constantFrom('1e400', '-1E+400', '5', '0'),
  );

  it('never finds a string equal to a number, whatever either is', () => {
    fc.assert(
      fc.property(strings, numbers, fc.boolean(), (s, n, withBig) => {
        const pad = withBig ? `, "pad": ${BIG}` : '';
        const a = parse(`{"v": ${JSON.stringify(s)}${pad}}`);
        const b = parse(`{"v": ${n}${pad}}`);
        expect(diffJson(a, b, none).differences.map((d) => d.kind)).toEqual(['type']);
        expect(diffJson(b, a, none).differences.map((d) => d.kind)).toEqual(['type']);
      }),
    );
  });

  it('reads every string back exactly, next to big numbers or not', () => {
    fc.assert(
      fc.property(strings, fc.string(), fc.boolean(), (s, key, withBig) => {
        const value = parse(JSON.stringify({ [key]: [s, { s }] }).replace(/}$/, withBig ? `, "pad": ${BIG}}` : '}')) as Record<string, unknown>;
        expect(value[key]).toEqual([s, { s }]);
      }),
    );
  });
});
