import { type AuditRecord, experimentRecordSchema } from '@penumbra/contracts';
import { type ChainHead, inChainOrder } from '@penumbra/audit';

interface Stream {
  head: ChainHead;
  /** The seq of the latest checkpoint this sink signed for the chain (0 for none). */
  checkpointed: number;
  /** Undefined once evicted: the history is then read from the topic on demand. */
  records: AuditRecord[] | undefined;
}

/** Where a chain stands, as read back from the topic for a head the index let go. */
export interface RestoredHead {
  head: ChainHead;
  checkpointed: number;
}

/**
 * Each experiment's chain head, and its history while the memory bound allows. Both are kept in
 * Maps in least-recently-written order (a write moves its entry to the end), so eviction takes the
 * first entry: O(1) however many experiments there are. Histories go first, past `maxRecords`;
 * heads go past `maxHeads`, after which a chain the index does not know may exist on the topic and
 * must be read back (`mayHaveEvicted`) before it is extended.
 */
export class AuditIndex {
  /** Every known chain, least recently written first. */
  private readonly streams = new Map<string, Stream>();
  /** The chains whose history is held, least recently written first. */
  private readonly holding = new Map<string, Stream>();
  /** Heads written past their latest checkpoint: what the next checkpoint covers. */
  private readonly pending = new Map<string, ChainHead>();
  /** The last redaction paths each experiment declared, kept after it is deleted. */
  private readonly redaction = new Map<string, readonly string[]>();
  private held = 0;
  private evictedHeads = false;

  constructor(
    private readonly maxRecords: number,
    private readonly maxHeads = Number.MAX_SAFE_INTEGER,
  ) {}

  get size(): number {
    return this.streams.size;
  }

  get heldRecords(): number {
    return this.held;
  }

  /** True once a head was evicted: an unknown experiment may then have a chain on the topic. */
  get mayHaveEvicted(): boolean {
    return this.evictedHeads;
  }

  head(experimentId: string): ChainHead | undefined {
    return this.streams.get(experimentId)?.head;
  }

  checkpointedSeq(experimentId: string): number {
    return this.streams.get(experimentId)?.checkpointed ?? 0;
  }

  /** The experiment's records in chain order; undefined when evicted, [] when it has none. */
  history(experimentId: string): AuditRecord[] | undefined {
    const stream = this.streams.get(experimentId);
    if (!stream) return this.evictedHeads ? undefined : [];
    return stream.records ? inChainOrder(stream.records) : undefined;
  }

  redactPaths(experimentId: string): readonly string[] {
    return this.redaction.get(experimentId) ?? [];
  }

  /** Heads past their latest checkpoint, least recently written first. */
  uncheckpointed(): Array<[string, ChainHead]> {
    return [...this.pending];
  }

  get uncheckpointedCount(): number {
    return this.pending.size;
  }

  add(record: AuditRecord): void {
    if (record.eventType === 'experiment.v1') {
      const parsed = experimentRecordSchema.safeParse(record.event);
      if (parsed.success) this.redaction.set(record.experimentId, parsed.data.spec.compare.redact);
    }
    const id = record.experimentId;
    let stream = this.streams.get(id);
    if (!stream) {
      // A chain first seen past its start (its head was let go) has its history on the topic only.
      stream = { head: { seq: record.seq, hash: record.hash }, checkpointed: 0, records: record.seq === 1 ? [] : undefined };
    } else {
      if (record.seq > stream.head.seq) stream.head = { seq: record.seq, hash: record.hash };
      this.streams.delete(id);
    }
    this.streams.set(id, stream);
    if (stream.head.seq > stream.checkpointed) {
      this.pending.delete(id);
      this.pending.set(id, stream.head);
    }
    if (stream.records) {
      stream.records.push(record);
      this.held += 1;
      this.holding.delete(id);
      this.holding.set(id, stream);
    }
    this.evict(id);
  }

  /** A chain read back from the topic: its head and checkpoint, its history left on the topic. */
  restore(experimentId: string, restored: RestoredHead): void {
    if (this.streams.has(experimentId)) return;
    this.streams.set(experimentId, { head: restored.head, checkpointed: restored.checkpointed, records: undefined });
    if (restored.head.seq > restored.checkpointed) this.pending.set(experimentId, restored.head);
    this.evict(experimentId);
  }

  /** The sink's checkpoint of the chain at `seq` is committed. */
  checkpointed(experimentId: string, seq: number): void {
    const stream = this.streams.get(experimentId);
    if (stream) stream.checkpointed = Math.max(stream.checkpointed, seq);
    const due = this.pending.get(experimentId);
    if (due && due.seq <= seq) this.pending.delete(experimentId);
  }

  clear(): void {
    this.streams.clear();
    this.holding.clear();
    this.pending.clear();
    this.held = 0;
    this.evictedHeads = false;
  }

  /** The entry just written sits last, so the first is the least recently written: `keep` itself only when it is alone. */
  private evict(keep: string): void {
    while (this.held > this.maxRecords) {
      const oldest = first(this.holding);
      if (!oldest) return;
      this.dropHistory(oldest[0], oldest[1]);
    }
    while (this.streams.size > this.maxHeads) {
      const oldest = first(this.streams);
      if (!oldest || oldest[0] === keep) return;
      this.dropHistory(oldest[0], oldest[1]);
      this.streams.delete(oldest[0]);
      this.evictedHeads = true;
    }
  }

  private dropHistory(id: string, stream: Stream): void {
    if (!stream.records) return;
    this.held -= stream.records.length;
    stream.records = undefined;
    this.holding.delete(id);
  }
}

function first<K, V>(map: Map<K, V>): [K, V] | undefined {
  for (const entry of map) return entry;
  return undefined;
}
