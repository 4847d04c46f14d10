import { foldHeaders, installLinearRecordDecoder, recordDecoder, type RecordBytesDecoder } from './kafkajs-record-decoder';

type Encoded = { buffer: Buffer };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: { offsetDelta?: number; key: Buffer; value: Buffer; headers: Record<string, unknown> }) => Encoded;
const Decoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => RecordBytesDecoder;
const Long = require('kafkajs/src/utils/long');
const kafkajsRecordDecoder = require('kafkajs/src/protocol/recordBatch/record/v0/decoder') as typeof decodeLinear;
const decodeLinear = recordDecoder(Long);

function decoderOver(record: Encoded): RecordBytesDecoder {
  const d = new Decoder(record.buffer);
  d.readVarInt();
  return d;
}

const manyHeaders = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-h${i}`, `v${i}`]));
const context = { firstOffset: '41', firstTimestamp: '1763776800000', magicByte: 2 };

describe('linear kafkajs record decoding', () => {
  it('decodes a record exactly as kafkajs does, repeated and odd header names included', () => {
    const record = Record({ offsetDelta: 3, key: Buffer.from('k'), value: Buffer.from('{"a":1}'), headers: { a: '1', b: ['2', '3'], __proto__x: 'p', 'x-chaos-case': 'c' } });
    expect(decodeLinear(decoderOver(record), context)).toEqual(kafkajsRecordDecoder(decoderOver(record), context));
  });

  it('folds a repeated header into an array and keeps a header named __proto__ as a header', () => {
    const headers = foldHeaders([
      { key: 'a', value: Buffer.from('1') },
      { key: '__proto__', value: Buffer.from('p') },
      { key: 'a', value: Buffer.from('2') },
      { key: 'a', value: Buffer.from('3') },
      { key: 'toString', value: Buffer.from('t') },
    ]);
    expect(Object.keys(headers)).toEqual(['a', '__proto__', 'toString']);
    expect(headers['a']).toEqual([Buffer.from('1'), Buffer.from('2'), Buffer.from('3')]);
    expect(headers['toString']).toEqual(Buffer.from('t'));
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
  });

  it("decodes the chaos suite's 10,000-header record through kafkajs's own batch decoder once installed", async () => {
    installLinearRecordDecoder();
    installLinearRecordDecoder();
    expect(Symbol.for('penumbra.kafkajs.linearRecordDecoder') in require('kafkajs/src/protocol/recordBatch/record/v0/decoder')).toBe(true);
    const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (b: { records: Encoded[]; lastOffsetDelta: number }) => Promise<Encoded> };
    const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (
      d: RecordBytesDecoder,
    ) => Promise<{ records: Array<{ offset: string; headers: Record<string, Buffer> }> }>;
    const hostile = Record({ offsetDelta: 0, key: Buffer.from('k'), value: Buffer.from('{}'), headers: manyHeaders(10_000) });
    const probe = Record({ offsetDelta: 1, key: Buffer.from('p'), value: Buffer.from('{}'), headers: { 'x-chaos-case': 'probe' } });
    const batch = await RecordBatch({ records: [hostile, probe], lastOffsetDelta: 1 });
    const { records } = await decodeBatch(new Decoder(batch.buffer));
    expect(records.map((r) => r.offset)).toEqual(['0', '1']);
    expect(Object.keys(records[0]?.headers ?? {})).toHaveLength(10_000);
    expect(records[0]?.headers['x-h9999']).toEqual(Buffer.from('v9999'));
    expect(records[1]?.headers).toEqual({ 'x-chaos-case': Buffer.from('probe') });
  });
});
