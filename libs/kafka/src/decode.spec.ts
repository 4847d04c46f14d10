import fc from 'fast-check';
import { z } from 'zod';
import { decodeRecord } from './decode';

const schema = z.object({ id: z.string(), n: z.number().int() });

describe('decodeRecord', () => {
  it('accepts a valid record', () => {
    expect(decodeRecord(Buffer.from('{"id":"a","n":1}'), schema)).toEqual({ ok: true, value: { id: 'a', n: 1 } });
  });

  it('names the encoding problem for bytes that are not UTF-8', () => {
    const r = decodeRecord(Buffer.from([0x7b, 0x22, 0xff, 0xfe]), schema);
    expect(r).toEqual({ ok: false, errorClass: 'encoding', reason: 'value is not valid UTF-8 (first bad byte near offset 2)' });
  });

  it('names bad JSON', () => {
    const r = decodeRecord(Buffer.from('{"id":'), schema);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/^value is not JSON: /);
  });

  it('does not quote the text it could not parse, which may hold a credential', () => {
    const r = decodeRecord(Buffer.from('GET /?access_token=quoted-secret HTTP/1.1'), schema);
    expect(r.ok ? '' : r.reason).toMatch(/^value is not JSON: Unexpected token 'G' \(not valid JSON\)$/);
  });

  it('refuses a value nested 100,000 deep before the schema walks it, and never throws', () => {
    const deep = Buffer.from(`{"id":"a","n":1,"details":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(decodeRecord(deep, z.object({ id: z.string(), details: z.unknown() }))).toEqual({ ok: false, errorClass: 'bounds', reason: 'value is nested deeper than 256 levels' });
  });

  it('refuses a value with more nodes than its bound', () => {
    const wide = Buffer.from(JSON.stringify({ id: 'a', n: 1, xs: new Array(5000).fill(0) }));
    expect(decodeRecord(wide, schema.passthrough(), undefined, { maxDepth: 10, maxNodes: 1000 })).toMatchObject({ ok: false, errorClass: 'bounds' });
  });

  it('names the wrong and the missing field', () => {
    const r = decodeRecord(Buffer.from('{"id":7}'), schema);
    expect(r.ok ? '' : r.reason).toMatch(/schema violation: id: .*expected string.*; n: .*expected number/);
  });

  it('dead-letters a tombstone unless the schema allows null', () => {
    expect(decodeRecord(null, schema)).toMatchObject({ ok: false, errorClass: 'schema', reason: expect.stringMatching(/tombstone/) });
    expect(decodeRecord(null, schema.nullable())).toEqual({ ok: true, value: null });
  });

  it('bounds the size it will parse', () => {
    expect(decodeRecord(Buffer.alloc(20, 0x20), schema, 10)).toMatchObject({ ok: false, errorClass: 'too-large' });
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = decodeRecord(Buffer.from(bytes), schema);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
      }),
    );
  });

  it('accepts exactly the objects the schema accepts', () => {
    fc.assert(
      fc.property(fc.record({ id: fc.string(), n: fc.oneof(fc.integer(), fc.double(), fc.string()) }), (obj) => {
        expect(decodeRecord(Buffer.from(JSON.stringify(obj)), schema).ok).toBe(schema.safeParse(obj).success);
      }),
    );
  });
});
