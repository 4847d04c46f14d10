import { type OutgoingMessage } from './ports';

/**
 * The most bytes of records (keys, values, headers and framing) sent in one produce request. The broker refuses a
 * partition's record batch over the topic's max.message.bytes (1 MiB by default), and kafkajs puts
 * all of a request's records for a partition in one batch: a large handler output sent at once would
 * be refused as too large, though each record fits.
 */
export const SEND_REQUEST_BYTES = 512 * 1024;

/** A record's own framing in a batch (lengths, offsets, timestamp): a generous bound, so that many empty records also count. */
const RECORD_OVERHEAD_BYTES = 64;

const bytesOf = (v: string | Buffer | null | undefined) => (v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);

/** The messages in order, cut into runs of at most `budget` bytes each (a larger message runs alone). */
export function produceRequests(messages: OutgoingMessage[], budget = SEND_REQUEST_BYTES): OutgoingMessage[][] {
  const requests: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    let size = RECORD_OVERHEAD_BYTES + bytesOf(m.key) + bytesOf(m.value);
    for (const [k, v] of Object.entries(m.headers ?? {})) size += bytesOf(k) + bytesOf(v);
    if (current.length > 0 && bytes + size > budget) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
