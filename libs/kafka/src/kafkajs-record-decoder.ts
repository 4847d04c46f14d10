import { PenumbraError } from '@penumbra/errors';

/** The part of kafkajs's protocol Decoder that a record needs. */
export interface RecordBytesDecoder {
  readInt8(): number;
  readVarInt(): number;
  readVarLong(): { toString(): string };
  readVarIntBytes(): Buffer | null;
  readVarIntString(): string | null;
}

export interface RecordBatchContext {
  firstOffset?: string;
  firstTimestamp?: string;
  magicByte?: number;
  isControlBatch?: boolean;
  timestampType?: number;
  maxTimestamp?: string;
}

export type RecordHeaders = Record<string, Buffer | null | Array<Buffer | null>>;

interface LongValue {
  add(other: unknown): LongValue;
  toString(): string;
}
type LongStatic = { fromValue(v: unknown): LongValue };

const RECORD_DECODER = 'kafkajs/src/protocol/recordBatch/record/v0/decoder';
const BATCH_DECODER = 'kafkajs/src/protocol/recordBatch/v0/decoder';
const LOG_APPEND_TIME = 1;

/**
 * kafkajs 2.2.4 folds a record's headers with an object spread per header, which is quadratic: a
 * record with 10,000 headers takes over 10 s to decode and blocks the event loop on every fetch
 * that returns it. The fold here gives the same object (a repeated key becomes an array, in order)
 * in one pass.
 */
export function foldHeaders(entries: ReadonlyArray<{ key: string | null; value: Buffer | null }>): RecordHeaders {
  const out: RecordHeaders = {};
  for (const { key, value } of entries) {
    const name = String(key);
    const prev = Object.prototype.hasOwnProperty.call(out, name) ? out[name] : undefined;
    const next = prev === undefined ? value : Array.isArray(prev) ? (prev.push(value), prev) : [prev, value];
    // Defined, not assigned, so that a header named __proto__ is a header like any other.
    Object.defineProperty(out, name, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** kafkajs's record v0 decoder with the headers folded in linear time; every other field as kafkajs decodes it. */
export function recordDecoder(Long: LongStatic) {
  return (decoder: RecordBytesDecoder, batchContext: RecordBatchContext = {}) => {
    const { firstOffset, firstTimestamp, magicByte, isControlBatch = false, timestampType, maxTimestamp } = batchContext;
    const attributes = decoder.readInt8();
    const timestampDelta = decoder.readVarLong();
    const timestamp = timestampType === LOG_APPEND_TIME && maxTimestamp ? maxTimestamp : Long.fromValue(firstTimestamp).add(timestampDelta).toString();
    const offsetDelta = decoder.readVarInt();
    const offset = Long.fromValue(firstOffset).add(offsetDelta).toString();
    const key = decoder.readVarIntBytes();
    const value = decoder.readVarIntBytes();
    const count = decoder.readVarInt();
    const entries: Array<{ key: string | null; value: Buffer | null }> = [];
    for (let i = 0; i < count; i += 1) entries.push({ key: decoder.readVarIntString(), value: decoder.readVarIntBytes() });
    return { magicByte, attributes, timestamp, offset, key, value, headers: foldHeaders(entries), isControlRecord: isControlBatch, batchContext };
  };
}

const INSTALLED = Symbol.for('penumbra.kafkajs.linearRecordDecoder');

/**
 * Puts the linear record decoder in place of kafkajs's own, in the module cache, before kafkajs's
 * fetch path first loads it (it is required lazily, on the first fetch). Idempotent.
 */
export function installLinearRecordDecoder(): void {
  const path = require.resolve(RECORD_DECODER);
  const current: unknown = require(path);
  if (typeof current === 'function' && INSTALLED in current) return;
  if (require.cache[require.resolve(BATCH_DECODER)]) {
    throw new PenumbraError('kafkajs record decoding was loaded before the linear header decoder could replace it', {
      code: 'KAFKAJS_DECODER_PATCH',
      retriable: false,
      context: { module: BATCH_DECODER },
    });
  }
  const cached = require.cache[path];
  if (!cached)
    throw new PenumbraError('kafkajs record decoder is not in the module cache', { code: 'KAFKAJS_DECODER_PATCH', retriable: false, context: { module: RECORD_DECODER } });
  const decode = recordDecoder(require('kafkajs/src/utils/long') as LongStatic);
  cached.exports = Object.assign(decode, { [INSTALLED]: true });
}
