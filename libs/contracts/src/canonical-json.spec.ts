import fc from 'fast-check';
import { auditHash, GENESIS_HASH } from './audit';
import { canonicalJson, sha256Hex } from './canonical-json';

function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, seed));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const rotated = entries
    .slice(seed % (entries.length || 1))
    .concat(entries.slice(0, seed % (entries.length || 1)))
    .reverse();
  return Object.fromEntries(rotated.map(([k, v]) => [k, shuffleKeys(v, seed + 1)]));
}

/** The recursive definition the iterative one must match byte for byte. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : reference(v))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${reference(record[k])}`);
  return `{${members.join(',')}}`;
}

describe('canonicalJson', () => {
  it('matches the recursive definition on any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => expect(canonicalJson(value)).toBe(reference(value))));
    expect(canonicalJson({ b: [undefined, 1], a: undefined, c: { '': null } })).toBe('{"b":[null,1],"c":{"":null}}');
  });

  it('serializes a value nested 100,000 deep without exhausting the stack', () => {
    const deep = JSON.parse(`${'{"a":['.repeat(50_000)}1${']}'.repeat(50_000)}`);
    const text = canonicalJson(deep);
    expect(text.length).toBe(50_000 * 8 + 1);
    expect(sha256Hex(text)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('serializes equal values to equal text whatever the key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(50), (value, seed) => {
        expect(canonicalJson(shuffleKeys(value, seed))).toBe(canonicalJson(value));
      }),
    );
  });

  it('round-trips through JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(JSON.parse(canonicalJson(value)))).toBe(canonicalJson(value));
      }),
    );
  });

  it('sorts keys, drops undefined members and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null], c: undefined, d: { z: 'x', y: 'é' } })).toBe('{"a":[true,null],"b":1,"d":{"y":"é","z":"x"}}');
  });

  it('refuses NaN rather than hashing it as null', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/NaN/);
  });
});

describe('auditHash', () => {
  const base = {
    type: 'audit.v1' as const,
    id: 'k',
    ts: 1,
    experimentId: 'e',
    seq: 1,
    source: { topic: 't', partition: 0, offset: '0' },
    eventType: 'x',
    actor: 'a',
    event: { v: 1 },
    prevHash: GENESIS_HASH,
  };

  it('chains on the previous hash and changes with any field', () => {
    const h = auditHash(base);
    expect(h).toBe(sha256Hex(GENESIS_HASH + canonicalJson(base)));
    expect(auditHash({ ...base, event: { v: 2 } })).not.toBe(h);
    expect(auditHash({ ...base, prevHash: h })).not.toBe(h);
  });
});
