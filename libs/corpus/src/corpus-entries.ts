import { type CorpusEntry, type CorpusRequest, MAX_CORPUS_REQUESTS, type TrafficRecord } from '@penumbra/contracts';
import { type CredentialPolicy } from '@penumbra/credentials';

/** The contract's bound on a path and query; a hash is longer than the token it replaces. */
const MAX_URL_PART = 8192;
/** A request larger than this is not kept: twenty of them must fit one Kafka record. */
export const MAX_CORPUS_REQUEST_BYTES = 32 * 1024;

/**
 * A captured request as the corpus keeps it: credential headers dropped (the mirror forwards none
 * unless an experiment names them), query secrets, URL userinfo and bearer tokens in the path and
 * in a text body hashed. Undefined when it is too large to keep.
 */
export function corpusRequestOf(record: TrafficRecord, policy: CredentialPolicy): CorpusRequest | undefined {
  const r = record.request;
  const headers = Object.fromEntries(Object.entries(r.headers).filter(([name]) => !policy.isCredentialHeader(name)));
  const body = r.body && r.body.encoding === 'utf8' ? { ...r.body, data: policy.text(r.body.data) } : r.body;
  const request: CorpusRequest = {
    trafficId: record.id,
    capturedAt: record.ts,
    request: {
      method: r.method,
      path: policy.text(r.path).slice(0, MAX_URL_PART),
      query: policy.query(r.query).slice(0, MAX_URL_PART),
      headers,
      ...(body ? { body } : {}),
    },
    attributes: record.attributes,
    ...(record.sessionKey === undefined ? {} : { sessionKey: record.sessionKey }),
  };
  return JSON.stringify(request).length > MAX_CORPUS_REQUEST_BYTES ? undefined : request;
}

/** The key's record with the new requests first, each request once, at most MAX_CORPUS_REQUESTS. */
export function mergeEntry(existing: CorpusEntry | undefined, incoming: CorpusEntry): CorpusEntry {
  const seen = new Set<string>();
  const requests = [...incoming.requests, ...(existing?.requests ?? [])].filter((r) => !seen.has(r.trafficId) && seen.add(r.trafficId)).slice(0, MAX_CORPUS_REQUESTS);
  return { ...incoming, requests };
}

/** A request of the corpus as the mirror replays it: a traffic record whose capture is not compared. */
export function trafficRecordOf(service: string, r: CorpusRequest): TrafficRecord {
  return {
    type: 'traffic.v1',
    id: r.trafficId,
    ts: r.capturedAt,
    service,
    request: r.request,
    response: { status: 200, headers: {}, latencyMs: 0 },
    attributes: r.attributes,
    ...(r.sessionKey === undefined ? {} : { sessionKey: r.sessionKey }),
  };
}
