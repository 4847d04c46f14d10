import { type GoReplayMessage, type TrafficRecord, httpMethod, trafficRecordSchema } from '@penumbra/contracts';

export interface SourceCoord {
  partition: number;
  offset: string;
}

export type JoinEvent = { kind: 'joined'; record: TrafficRecord; coords: SourceCoord[] } | { kind: 'rejected'; coord: SourceCoord; reason: string };

interface Pending {
  request?: { msg: GoReplayMessage; coord: SourceCoord };
  response?: { msg: GoReplayMessage; coord: SourceCoord };
  firstSeen: number;
}

export interface GoReplayJoinOptions {
  service: string;
  windowMs: number;
  maxPending: number;
  /** Header → attribute, such as { "x-tenant": "tenant" }. */
  attributeHeaders: Record<string, string>;
}

/**
 * Joins GoReplay requests with their original responses by Req_ID inside a bounded window. The
 * two halves may arrive in any order and on different partitions; what is left unmatched past
 * the window, or evicted when the buffer is full, is rejected with a reason.
 */
export class GoReplayJoiner {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly options: GoReplayJoinOptions) {}

  get size(): number {
    return this.pending.size;
  }

  add(msg: GoReplayMessage, coord: SourceCoord, now: number): JoinEvent[] {
    if (msg.Req_Type === '3') return [{ kind: 'rejected', coord, reason: 'replayed response (Req_Type 3) is not production traffic' }];
    const events: JoinEvent[] = [];
    let entry = this.pending.get(msg.Req_ID);
    if (!entry) {
      if (this.pending.size >= this.options.maxPending) events.push(...this.evictOldest());
      entry = { firstSeen: now };
      this.pending.set(msg.Req_ID, entry);
    }
    const half = msg.Req_Type === '1' ? 'request' : 'response';
    const previous = entry[half];
    if (previous) events.push({ kind: 'rejected', coord: previous.coord, reason: `duplicate ${half} for Req_ID ${msg.Req_ID}; the later one is kept` });
    entry[half] = { msg, coord };
    if (entry.request && entry.response) {
      this.pending.delete(msg.Req_ID);
      events.push(this.join(entry.request, entry.response));
    }
    return events;
  }

  /** Rejects what waited longer than the window. */
  expire(now: number): JoinEvent[] {
    const events: JoinEvent[] = [];
    for (const [id, entry] of this.pending) {
      if (now - entry.firstSeen <= this.options.windowMs) continue;
      this.pending.delete(id);
      events.push(...unmatched(id, entry, this.options.windowMs));
    }
    return events;
  }

  /** The lowest offset still waiting on a partition: offsets from it on must not be committed yet. */
  lowestPendingOffset(partition: number): bigint | undefined {
    let lowest: bigint | undefined;
    for (const entry of this.pending.values()) {
      for (const half of [entry.request, entry.response]) {
        if (!half || half.coord.partition !== partition) continue;
        const o = BigInt(half.coord.offset);
        if (lowest === undefined || o < lowest) lowest = o;
      }
    }
    return lowest;
  }

  private evictOldest(): JoinEvent[] {
    const first = this.pending.entries().next();
    if (first.done) return [];
    const [id, entry] = first.value;
    this.pending.delete(id);
    return unmatched(id, entry, this.options.windowMs, `join buffer full (${this.options.maxPending} waiting)`);
  }

  private join(request: { msg: GoReplayMessage; coord: SourceCoord }, response: { msg: GoReplayMessage; coord: SourceCoord }): JoinEvent {
    const coords = [request.coord, response.coord];
    const record = toTrafficRecord(request.msg, response.msg, this.options);
    if (typeof record === 'string') return { kind: 'rejected', coord: request.coord, reason: record };
    return { kind: 'joined', record, coords };
  }
}

function unmatched(id: string, entry: Pending, windowMs: number, why?: string): JoinEvent[] {
  const missing = entry.request ? 'response' : 'request';
  const reason = why ?? `no ${missing} for Req_ID ${id} within ${windowMs} ms`;
  return [entry.request, entry.response].filter((h) => h !== undefined).map((h) => ({ kind: 'rejected' as const, coord: h.coord, reason }));
}

function lowerHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Decodes a chunked transfer-encoded body, as GoReplay keeps it raw. */
export function dechunk(body: string): string | undefined {
  let out = '';
  let rest = body;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd < 0) return undefined;
    const size = parseInt(rest.slice(0, lineEnd).split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

function toTrafficRecord(req: GoReplayMessage, res: GoReplayMessage, options: GoReplayJoinOptions): TrafficRecord | string {
  const method = httpMethod.safeParse(req.Req_Method.toUpperCase());
  if (!method.success) return `unknown request method "${req.Req_Method}"`;
  const status = Number(res.Req_URL);
  if (!Number.isInteger(status) || status < 100 || status > 599) return `response status "${res.Req_URL}" is not an HTTP status`;
  const [path = '/', query = ''] = req.Req_URL.split(/\?(.*)/s);
  const reqHeaders = lowerHeaders(req.Req_Headers);
  const resHeaders = lowerHeaders(res.Req_Headers);
  let resBody = res.Req_Body;
  if ((resHeaders['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) {
    const decoded = dechunk(resBody);
    if (decoded === undefined) return 'response body claims chunked encoding but does not decode';
    resBody = decoded;
    delete resHeaders['transfer-encoding'];
  }
  const reqNs = BigInt(req.Req_Ts);
  const resNs = BigInt(res.Req_Ts);
  const attributes: Record<string, string> = {};
  for (const [header, attribute] of Object.entries(options.attributeHeaders)) {
    const v = reqHeaders[header.toLowerCase()];
    if (v !== undefined) attributes[attribute] = v;
  }
  const parsed = trafficRecordSchema.safeParse({
    type: 'traffic.v1',
    id: `gor-${req.Req_ID}`,
    ts: Number(reqNs / 1_000_000n),
    service: options.service,
    request: { method: method.data, path, query, headers: reqHeaders, ...(req.Req_Body ? { body: { encoding: 'utf8', data: req.Req_Body } } : {}) },
    response: { status, headers: resHeaders, ...(resBody ? { body: { encoding: 'utf8', data: resBody } } : {}), latencyMs: resNs > reqNs ? Number(resNs - reqNs) / 1e6 : 0 },
    attributes,
  });
  if (!parsed.success) return `joined record is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
  return parsed.data;
}
