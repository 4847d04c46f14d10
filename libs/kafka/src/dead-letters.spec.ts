import { createHash } from 'node:crypto';
import { deadLetterSchema } from '@penumbra/contracts';
import { credentialPolicy } from '@penumbra/credentials';
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
    const value = Buffer.from('"01234567"');
    expect(Buffer.from(deadLetterFor(record(value), 'g', 'json', 'r', 1, { maxValueBytes: 4 }).value!, 'base64').toString()).toBe('"012');
    const whole = deadLetterFor(record(value), 'g', 'json', 'r', 1);
    expect(whole).toMatchObject({ truncated: false, size: 10, redaction: 'json' });
    expect(Buffer.from(whole.value!, 'base64').toString()).toBe('"01234567"');
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

  it('hashes credentials in the kept JSON value, the record headers and the reason', () => {
    const credentials = credentialPolicy({ hashKey: 'k' });
    const traffic = {
      request: { path: '/a', query: 'access_token=tok-secret&page=1', headers: { Authorization: 'Bearer hdr-secret' } },
      response: { headers: { 'set-cookie': 'sid=ck-secret' } },
    };
    const value = Buffer.from(JSON.stringify(traffic));
    const letter = deadLetterFor(record(value, { headers: { authorization: 'Bearer kh-secret' } }), 'g', 'schema', 'bad url https://u:pw-secret@h/x', 1, { credentials });
    const text = JSON.stringify(letter) + Buffer.from(letter.value!, 'base64').toString();
    for (const secret of ['tok-secret', 'hdr-secret', 'ck-secret', 'kh-secret', 'pw-secret']) expect(text).not.toContain(secret);
    expect(Buffer.from(letter.value!, 'base64').toString()).toContain(credentials.hash('Bearer hdr-secret'));
    expect(letter).toMatchObject({ redaction: 'json', size: value.length, sha256: createHash('sha256').update(value).digest('hex') });
  });

  it('keeps no bytes of a value that is not JSON, only its size and digest', () => {
    const value = Buffer.from('GET /a?access_token=raw-secret HTTP/1.1\r\nAuthorization: Bearer raw-secret\r\n');
    const letter = deadLetterFor(record(value), 'g', 'json', 'not JSON', 1);
    expect(letter).toMatchObject({ value: null, redaction: 'withheld', truncated: true, size: value.length });
    expect(JSON.stringify(letter)).not.toContain('raw-secret');
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
