import { createHash } from 'node:crypto';
import { deadLetterSchema } from '@penumbra/contracts';
import { deadLetterFor, deadLetterMessage, minimalDeadLetter } from './dead-letters';
import { type IncomingRecord } from './ports';

const record = (value: Buffer | null, extra: Partial<IncomingRecord> = {}): IncomingRecord => ({
  topic: 'shadow.traffic',
  partition: 2,
  offset: '41',
  timestamp: '0',
  key: Buffer.from('k'),
  value,
  headers: {},
  ...extra,
});

describe('deadLetterFor', () => {
  it('keeps a 64 KiB prefix of a 900 KB value with its size and sha256, so the letter stays far under 1 MiB', () => {
    const value = Buffer.from(JSON.stringify({ id: 'x'.repeat(900_000) }));
    const letter = deadLetterFor(record(value), 'g', 'schema', 'id: too long', 1);
    expect(letter).toMatchObject({ size: value.length, sha256: createHash('sha256').update(value).digest('hex'), truncated: true, minimal: false });
    expect(Buffer.from(letter.value!, 'base64')).toEqual(value.subarray(0, 64 * 1024));
    expect(Buffer.byteLength(String(deadLetterMessage('dlq', letter).value))).toBeLessThan(100 * 1024);
  });

  it('honours a configured prefix size and keeps a small value whole', () => {
    const value = Buffer.from('0123456789');
    expect(Buffer.from(deadLetterFor(record(value), 'g', 'json', 'r', 1, { maxValueBytes: 4 }).value!, 'base64').toString()).toBe('0123');
    const whole = deadLetterFor(record(value), 'g', 'json', 'r', 1);
    expect(whole).toMatchObject({ truncated: false, size: 10 });
    expect(Buffer.from(whole.value!, 'base64').toString()).toBe('0123456789');
  });

  it('bounds the key, ten thousand headers and a huge reason', () => {
    const headers = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`h${i}`, 'v'.repeat(2000)]));
    const letter = deadLetterFor(record(Buffer.from('{}'), { key: Buffer.alloc(1_000_000, 1), headers }), 'g', 'schema', 'r'.repeat(1_000_000), 1);
    expect(Buffer.from(letter.key!, 'base64').length).toBe(1024);
    expect(Object.keys(letter.headers)).toHaveLength(32);
    expect(Object.values(letter.headers).every((v) => v.length <= 512)).toBe(true);
    expect(letter.reason.length).toBe(4000);
    expect(letter.truncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(letter))).toBeLessThan(200 * 1024);
  });

  it('writes a tombstone as a letter without size or digest', () => {
    const letter = deadLetterFor(record(null), 'g', 'schema', 'tombstone', 1);
    expect(letter.value).toBeNull();
    expect(letter.size).toBeUndefined();
  });
});

describe('minimalDeadLetter', () => {
  it('keeps coordinates, a short reason, size and digest, and no bytes', () => {
    const value = Buffer.alloc(2_000_000, 0x41);
    const letter = minimalDeadLetter(record(value, { headers: { a: 'b' } }), 'g', 'schema', 'why '.repeat(1000), 1);
    expect(deadLetterSchema.parse(letter)).toEqual(letter);
    expect(letter).toMatchObject({ id: 'shadow.traffic:2:41', key: null, value: null, headers: {}, minimal: true, truncated: true, size: 2_000_000 });
    expect(letter.reason.length).toBeLessThanOrEqual(500);
    expect(letter.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
