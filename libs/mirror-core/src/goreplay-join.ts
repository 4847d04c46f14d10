import { type GoReplayMessage, type TrafficRecord, httpMethod, trafficRecordSchema } from '@penumbra/contracts';

export interface SourceCoord {
  partition: number;
  offset: string;
}

/** Why a half was rejected: a bounded set, fit for a metric label. */
export type RejectCause = 'replayed' | 'duplicate' | 'expired' | 'evicted' | 'too-large' | 'invalid';

export type JoinEvent = { kind: 'joined'; record: TrafficRecord; coords: SourceCoord[] } | { kind: 'rejected'; coord: SourceCoord; reason: string; cause: RejectCause };

interface Half {
  msg: GoReplayMessage;
  coord: SourceCoord;
  bytes: number;
}

interface Pending {
  request?: Half;
  response?: Half;
  firstSeen: number;
}

export const DEFAULT_GOREPLAY_MAX_PENDING_BYTES = 64 * 1024 * 1024;
export const DEFAULT_GOREPLAY_MAX_BODY_BYTES = 1024 * 1024;
/** What a pending half costs besides its strings: the entry, its maps and objects. */
const HALF_OVERHEAD_BYTES = 512;

export interface GoReplayJoinOptions {
  service: string;
  windowMs: number;
  maxPending: number;
  /** The most bytes the waiting halves may hold, the caller's copies included; past it the oldest are evicted. */
  maxPendingBytes?: number;
  /** A half whose body is larger is rejected at once, and so is its other half when it comes. */
  maxBodyBytes?: number;
  /** Header → attribute, such as { "x-tenant": "tenant" }. */
  attributeHeaders: Record<string, string>;
}

/**
 * Joins GoReplay requests with their original responses by Req_ID inside a bounded window. The
 * two halves may arrive in any order and on different partitions; what is left unmatched past
 * the window, evicted when the buffer is over its count or byte budget, or too large to hold, is
 * rejected with a reason.
 */
export class GoReplayJoiner {
  private readonly pending = new Map<string, Pending>();
  /** Req_IDs whose half was too large, until the window passes: the other half is rejected too. */
  private readonly tooLarge = new Map<string, number>();
  private bytes = 0;
  private readonly maxPendingBytes: number;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: GoReplayJoinOptions) {
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_GOREPLAY_MAX_PENDING_BYTES;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_GOREPLAY_MAX_BODY_BYTES;
  }

  get size(): number {
    return this.pending.size;
  }

  /** The bytes the waiting halves hold, as counted against the budget. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** `heldBytes`: what the caller keeps alongside this half until it is joined or rejected (its raw record). */
  add(msg: GoReplayMessage, coord: SourceCoord, now: number, heldBytes = 0): JoinEvent[] {
    if (msg.Req_Type === '3') return [{ kind: 'rejected', coord, reason: 'replayed response (Req_Type 3) is not production traffic', cause: 'replayed' }];
    const half = msg.Req_Type === '1' ? 'request' : 'response';
    const tooLarge = this.rejectTooLarge(msg, half, coord, now);
    if (tooLarge.length > 0) return tooLarge;
    const events: JoinEvent[] = [];
    const waiting = this.pending.get(msg.Req_ID);
    if (waiting) {
      this.remove(msg.Req_ID, waiting);
      const kept = waiting[half];
      if (kept) events.push({ kind: 'rejected', coord: kept.coord, reason: `duplicate ${half} for Req_ID ${msg.Req_ID}; the later one is kept`, cause: 'duplicate' });
      const other = half === 'request' ? waiting.response : waiting.request;
      if (other) {
        const mine = { msg, coord, bytes: 0 };
        events.push(...(half === 'request' ? this.join(mine, other) : this.join(other, mine)));
        return events;
      }
    }
    const bytes = halfBytes(msg) + heldBytes;
    while (this.pending.size > 0 && (this.pending.size >= this.options.maxPending || this.bytes + bytes > this.maxPendingBytes)) events.push(...this.evictOldest());
    this.pending.set(msg.Req_ID, { firstSeen: waiting?.firstSeen ?? now, [half]: { msg, coord, bytes } });
    this.bytes += bytes;
    return events;
  }

  /** Rejects what waited longer than the window. */
  expire(now: number): JoinEvent[] {
    const events: JoinEvent[] = [];
    for (const [id, entry] of this.pending) {
      if (now - entry.firstSeen <= this.options.windowMs) continue;
      this.remove(id, entry);
      events.push(...unmatched(id, entry, 'expired', `no ${entry.request ? 'response' : 'request'} for Req_ID ${id} within ${this.options.windowMs} ms`));
    }
    for (const [id, at] of this.tooLarge) {
      if (now - at <= this.options.windowMs) break;
      this.tooLarge.delete(id);
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

  private rejectTooLarge(msg: GoReplayMessage, half: 'request' | 'response', coord: SourceCoord, now: number): JoinEvent[] {
    const size = msg.Req_Body.length;
    if (size <= this.maxBodyBytes) {
      if (!this.tooLarge.has(msg.Req_ID)) return [];
      return [{ kind: 'rejected', coord, reason: `its other half for Req_ID ${msg.Req_ID} was over the ${this.maxBodyBytes} byte bound`, cause: 'too-large' }];
    }
    if (this.tooLarge.size >= this.options.maxPending) this.tooLarge.delete(this.tooLarge.keys().next().value ?? '');
    this.tooLarge.set(msg.Req_ID, now);
    const reason = `${half} body of ${size} bytes is over the ${this.maxBodyBytes} byte bound for Req_ID ${msg.Req_ID}`;
    const events: JoinEvent[] = [{ kind: 'rejected', coord, reason, cause: 'too-large' }];
    const waiting = this.pending.get(msg.Req_ID);
    if (waiting) {
      // The other half can never be joined now: it goes with this one.
      this.remove(msg.Req_ID, waiting);
      events.push(...unmatched(msg.Req_ID, waiting, 'too-large', `its other half was dropped: ${reason}`));
    }
    return events;
  }

  private remove(id: string, entry: Pending): void {
    this.pending.delete(id);
    this.bytes -= (entry.request?.bytes ?? 0) + (entry.response?.bytes ?? 0);
  }

  private evictOldest(): JoinEvent[] {
    const first = this.pending.entries().next();
    if (first.done) return [];
    const [id, entry] = first.value;
    const why = `join buffer full (${this.pending.size} waiting, ${this.bytes} bytes; bounds ${this.options.maxPending} and ${this.maxPendingBytes} bytes)`;
    this.remove(id, entry);
    return unmatched(id, entry, 'evicted', why);
  }

  /** A pair that does not make a valid record rejects both halves, so neither is kept waiting by its caller. */
  private join(request: Half, response: Half): JoinEvent[] {
    const coords = [request.coord, response.coord];
    const record = toTrafficRecord(request.msg, response.msg, this.options);
    if (typeof record === 'string') return coords.map((coord) => ({ kind: 'rejected', coord, reason: record, cause: 'invalid' }));
    return [{ kind: 'joined', record, coords }];
  }
}

function halfBytes(msg: GoReplayMessage): number {
  let n = HALF_OVERHEAD_BYTES + msg.Req_URL.length + msg.Req_ID.length + msg.Req_Method.length + msg.Req_Ts.length + msg.Req_Body.length;
  for (const [k, v] of Object.entries(msg.Req_Headers)) n += k.length + v.length + 32;
  return n;
}

function unmatched(id: string, entry: Pending, cause: RejectCause, reason: string): JoinEvent[] {
  return [entry.request, entry.response].filter((h) => h !== undefined).map((h) => ({ kind: 'rejected' as const, coord: h.coord, reason, cause }));
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
