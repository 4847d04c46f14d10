import fc from 'fast-check';
import { parseJsonText } from './json-text';
import { isNoise, isSuspectedVolatile, looksVolatile } from './noise';
import { pathTemplate, segmentsToString } from './paths';
import { diffResponses, prepareResponse } from './response-diff';
import { compileRules } from './rules';

const json = (data: string) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: { encoding: 'utf8' as const, data, truncated: false } });
const options = { rules: compileRules({}), headers: ['content-type', 'cache-control'], maxBodyBytes: 1000 };

describe('diffResponses', () => {
  it('compares status, listed headers and the JSON body', () => {
    const r = diffResponses(
      { ...json('{"a":1}'), headers: { 'content-type': 'application/json', 'x-other': '1' } },
      { ...json('{"a":2}'), status: 201, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-other': '2' } },
      options,
    );
    expect(r.statusMatch).toBe(false);
    expect(r.differences).toEqual([
      { path: 'status', kind: 'status', primary: '200', candidate: '201' },
      { path: 'header:cache-control', kind: 'header', candidate: 'no-store' },
      { path: '$.a', kind: 'changed', primary: '1', candidate: '2' },
    ]);
  });

  it('reports a body that claims JSON but does not parse as a type difference, not a crash', () => {
    const r = diffResponses(json('{"a":1}'), json('{"a":'), options);
    expect(r.differences).toEqual([{ path: '$', kind: 'type', primary: '{"a":1}', candidate: 'invalid JSON: {"a":' }]);
  });

  it('compares text as text and binary by hash', () => {
    const text = (data: string) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: { encoding: 'utf8' as const, data, truncated: false } });
    expect(diffResponses(text('hello'), text('hello'), options).differences).toEqual([]);
    expect(diffResponses(text('hello'), text('world'), options).differences).toEqual([{ path: '$', kind: 'changed', primary: 'hello', candidate: 'world' }]);
    const bin = (data: string) => ({ status: 200, headers: { 'content-type': 'image/png' }, body: { encoding: 'base64' as const, data, truncated: false } });
    const r = diffResponses(bin('AAEC'), bin('AAED'), options);
    expect(r.differences).toEqual([{ path: '$', kind: 'changed', primary: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), candidate: expect.stringMatching(/^sha256:/) }]);
    expect(diffResponses(bin('AAEC'), bin('AAEC'), options).differences).toEqual([]);
  });

  it('reports a body on one side only', () => {
    expect(diffResponses({ status: 200, headers: { 'content-type': 'application/json' } }, json('{}'), options).differences).toEqual([
      { path: '$', kind: 'extra', candidate: '{}' },
    ]);
  });

  it('is too-large past the body bound, and too-large for JSON too deep to parse', () => {
    expect(diffResponses(json(`{"a":"${'x'.repeat(2000)}"}`), json('{}'), options).tooLarge).toBe(true);
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const r = diffResponses(json(deep), json(deep), { ...options, maxBodyBytes: 1_000_000 });
    expect(r.tooLarge).toBe(true);
  });

  it('finds byte-equal bodies equal without parsing, exactly as when it parses them', () => {
    const rules = compileRules({ ignore: ['$..a'], unordered: ['$.b'], redact: ['$.c'] });
    fc.assert(
      fc.property(fc.json(), fc.constantFrom('application/json', 'text/plain'), (text, type) => {
        const res = (data: string) => ({ status: 200, headers: { 'content-type': type }, body: { encoding: 'utf8' as const, data, truncated: false } });
        const o = { ...options, rules, maxBodyBytes: 1_000_000 };
        const slow = diffResponses(res(text), res(`${text} `), o);
        if (type === 'application/json') expect(diffResponses(res(text), res(text), o)).toEqual(slow);
        else expect(diffResponses(res(text), res(text), o).differences).toEqual([]);
      }),
    );
  });

  it('still reports byte-equal bodies past the depth or node bound as too large', () => {
    const deep = `${'['.repeat(1500)}${']'.repeat(1500)}`;
    expect(diffResponses(json(deep), json(deep), { ...options, maxBodyBytes: 1_000_000 }).tooLarge).toBe(true);
    const wide = `[${Array.from({ length: 300 }, () => '0').join(',')}]`;
    const limits = { maxDepth: 1000, maxNodes: 100, maxDifferences: 200, maxValueChars: 200 };
    expect(diffResponses(json(wide), json(wide), { ...options, limits }).tooLarge).toBe(true);
    expect(diffResponses(json(wide), json(wide), options).tooLarge).toBe(false);
  });

  it('parses a prepared response once for several comparisons, with the same results', () => {
    const primary = prepareResponse(json('{"a":1,"b":[1,2]}'));
    const parsed = jest.spyOn(primary, 'parsed', 'get');
    const candidates = [json('{"a":2,"b":[1,2]}'), json('{"a":1,"b":[2,1]}'), json('{"a":1}')];
    for (const c of candidates) expect(diffResponses(primary, c, options)).toEqual(diffResponses(json('{"a":1,"b":[1,2]}'), c, options));
    expect(parsed).toHaveBeenCalledTimes(3);
    expect(parsed.mock.results[0]?.value).toBe(parsed.mock.results[2]?.value);
  });

  it('never throws, whatever the bodies', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const r = diffResponses(json(a), json(b), options);
        expect(Array.isArray(r.differences)).toBe(true);
      }),
    );
  });
});

describe('parseJsonText', () => {
  it('parses what JSON.parse parses, numbers and strings alike', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        const r = parseJsonText(text);
        expect(r.ok).toBe(true);
        if (r.ok && !/\d{16,}|[eE][+-]?\d{3,}/.test(text)) expect(r.value).toEqual(JSON.parse(text));
      }),
    );
  });

  it('leaves digits inside strings alone', () => {
    const r = parseJsonText('{"s":"12345678901234567890 \\" 99999999999999999","n":12345678901234567890}');
    expect(r.ok && (r.value as { s: string }).s).toBe('12345678901234567890 " 99999999999999999');
  });
});

describe('noise rules', () => {
  const t = { relativeThreshold: 0.2, absoluteThreshold: 0.0003 };

  it('suppresses a path that differs about as often between two copies of production', () => {
    expect(isNoise({ requests: 1000, raw: 1000, noise: 1000 }, t)).toBe(true);
    expect(isNoise({ requests: 1000, raw: 1100, noise: 1000 }, t)).toBe(true);
  });

  it('keeps a path the candidate changes clearly more often', () => {
    expect(isNoise({ requests: 1000, raw: 1000, noise: 500 }, t)).toBe(false);
    expect(isNoise({ requests: 1000, raw: 50, noise: 0 }, t)).toBe(false);
  });

  it('needs the absolute excess too', () => {
    expect(isNoise({ requests: 1_000_000, raw: 20, noise: 10 }, t)).toBe(true);
  });

  it('spots volatile fields by name or by value', () => {
    expect(looksVolatile('$.requestId', [])).toBe(true);
    expect(looksVolatile('$.meta.updated_at', [])).toBe(true);
    expect(looksVolatile('$.when', ['"2026-11-22T01:02:03Z"', '"2026-11-22T01:02:04Z"'])).toBe(true);
    expect(looksVolatile('$.price', ['1.5', '2.5'])).toBe(false);
    expect(isSuspectedVolatile(19, 20, true)).toBe(true);
    expect(isSuspectedVolatile(5, 20, true)).toBe(false);
    expect(pathTemplate('$.items[12].price[3]')).toBe('$.items[*].price[*]');
  });
});

describe('paths', () => {
  it('writes a key as .name exactly when it is an identifier', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z_$][\w$]{0,6}$/)), (key) => {
        const identifier = /^[A-Za-z_$][\w$]*$/.test(key);
        expect(segmentsToString([key, 0])).toBe(identifier ? `$.${key}[0]` : `$[${JSON.stringify(key)}][0]`);
      }),
    );
  });
});
