import { type AuditRecord, experimentRecordSchema } from '@penumbra/contracts';
import { type ChainHead, inChainOrder } from '@penumbra/audit';

interface Stream {
  head: ChainHead;
  /** Undefined once evicted: the history is then read from the topic on demand. */
  records: AuditRecord[] | undefined;
  lastWrite: number;
}

/**
 * Each experiment's chain head, and its history while the memory bound allows. Heads are never
 * evicted (they are what the next record chains from); histories are, least recently written first.
 */
export class AuditIndex {
  private readonly streams = new Map<string, Stream>();
  /** The last redaction paths each experiment declared, kept after it is deleted. */
  private readonly redaction = new Map<string, readonly string[]>();
  private held = 0;
  private tick = 0;

  constructor(private readonly maxRecords: number) {}

  get size(): number {
    return this.streams.size;
  }

  get heldRecords(): number {
    return this.held;
  }

  head(experimentId: string): ChainHead | undefined {
    return this.streams.get(experimentId)?.head;
  }

  /** The experiment's records in chain order; undefined when evicted, [] when it has none. */
  history(experimentId: string): AuditRecord[] | undefined {
    const stream = this.streams.get(experimentId);
    if (!stream) return [];
    return stream.records ? inChainOrder(stream.records) : undefined;
  }

  redactPaths(experimentId: string): readonly string[] {
    return this.redaction.get(experimentId) ?? [];
  }

  add(record: AuditRecord): void {
    this.tick += 1;
    if (record.eventType === 'experiment.v1') {
      const parsed = experimentRecordSchema.safeParse(record.event);
      if (parsed.success) this.redaction.set(record.experimentId, parsed.data.spec.compare.redact);
    }
    const stream = this.streams.get(record.experimentId);
    if (!stream) {
      this.streams.set(record.experimentId, { head: { seq: record.seq, hash: record.hash }, records: [record], lastWrite: this.tick });
    } else {
      if (record.seq > stream.head.seq) stream.head = { seq: record.seq, hash: record.hash };
      stream.lastWrite = this.tick;
      if (stream.records) stream.records.push(record);
      else return;
    }
    this.held += 1;
    this.evict(record.experimentId);
  }

  clear(): void {
    this.streams.clear();
    this.held = 0;
  }

  private evict(keep: string): void {
    while (this.held > this.maxRecords) {
      let oldest: [string, Stream] | undefined;
      for (const entry of this.streams) if (entry[0] !== keep && entry[1].records && (!oldest || entry[1].lastWrite < oldest[1].lastWrite)) oldest = entry;
      const victim = oldest ?? [keep, this.streams.get(keep)];
      const records = victim[1]?.records;
      if (!victim[1] || !records) return;
      this.held -= records.length;
      victim[1].records = undefined;
    }
  }
}
