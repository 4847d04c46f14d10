import { type TrafficRecord } from '@penumbra/contracts';
import { type BatchHandler, type ConsumedRecord, type OutgoingMessage, type ProducerPort, encodeParsedEvent } from '@penumbra/kafka';
import { type MirrorEngine } from './mirror-engine';

export interface TrafficHandlerOptions {
  /** Bound on the encoded pairs kept for records whose batch is not yet durable (256 MiB by default). */
  maxBuiltBytes?: number;
}

interface Built {
  messages: OutgoingMessage[];
  bytes: number;
  /** Why the record is dead-lettered, when a pair it yielded could not be produced at all. */
  rejection?: string;
}

/**
 * The pairs already built for records whose batch is not yet durable, by topic, partition and
 * offset. A retry of the batch (a failed send, a handler retried record by record) produces them
 * again instead of replaying the requests a second time. Bounded by bytes: past the bound the
 * oldest are forgotten, which costs at most a second replay of those records.
 */
export class BuiltPairs {
  private readonly byRecord = new Map<string, Built>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.byRecord.size;
  }

  get(key: string): Built | undefined {
    return this.byRecord.get(key);
  }

  set(key: string, built: Built): void {
    this.delete(key);
    this.byRecord.set(key, built);
    this.bytes += built.bytes;
    for (const [oldest] of this.byRecord) {
      if (this.bytes <= this.maxBytes || oldest === key) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const built = this.byRecord.get(key);
    if (!built) return;
    this.byRecord.delete(key);
    this.bytes -= built.bytes;
  }
}

const keyOf = (r: ConsumedRecord<TrafficRecord>) => `${r.topic}:${r.partition}:${r.offset}`;

/**
 * Replays a batch of captured records concurrently (within each experiment's caps) and makes all
 * the resulting pairs durable in one send before the batch is committed. Each record is replayed
 * once per batch however often the batch is retried; each pair is checked on its own, so one bad
 * pair never fails the others.
 */
export function trafficHandler(engine: MirrorEngine, producer: ProducerPort, pairsTopic: string, options: TrafficHandlerOptions = {}): BatchHandler<TrafficRecord> {
  const built = new BuiltPairs(options.maxBuiltBytes ?? 256 * 1024 * 1024);
  const build = async (record: ConsumedRecord<TrafficRecord>, heartbeat: (() => Promise<void>) | undefined): Promise<Built> => {
    const known = built.get(keyOf(record));
    if (known) return known;
    const outcomes = await engine.process(record.value, heartbeat ? { heartbeat } : {});
    const messages = outcomes.flatMap((o) => (o.kind === 'pair' ? [encodeParsedEvent(o.pair, pairsTopic, o.pair.id)] : []));
    const invalid = outcomes.flatMap((o) => (o.kind === 'skipped' && o.reason === 'invalid-pair' ? [`${o.experimentId}: ${o.detail ?? 'invalid pair'}`] : []));
    const result: Built = {
      messages,
      bytes: messages.reduce((n, m) => n + Buffer.byteLength(String(m.value)), 0),
      ...(invalid.length > 0 ? { rejection: invalid.join('; ') } : {}),
    };
    built.set(keyOf(record), result);
    return result;
  };
  return async (records, context) => {
    const results = await Promise.all(records.map((r) => build(r, context.heartbeat)));
    await producer.send(results.flatMap((r) => r.messages));
    for (const r of records) built.delete(keyOf(r));
    const rejected = records.flatMap((r, i) => {
      const rejection = results[i]?.rejection;
      return rejection ? [{ offset: r.offset, reason: rejection }] : [];
    });
    return rejected.length > 0 ? { rejected } : undefined;
  };
}
