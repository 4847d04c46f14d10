/**
 * The Kafka seam. Services and the pipeline code speak these interfaces; one adapter file
 * (kafkajs-adapter.ts, with kafkajs-transactions.ts for transactions) implements them, so the client
 * library can be swapped in one folder.
 */

export interface OutgoingMessage {
  topic: string;
  key: string | null;
  /** null is a tombstone on a compacted topic. */
  value: string | Buffer | null;
  /** Explicit partition; otherwise the key chooses it. */
  partition?: number;
  headers?: Record<string, string>;
}

export interface IncomingRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface FetchedBatch {
  topic: string;
  partition: number;
  highWatermark: string;
  records: IncomingRecord[];
}

export interface BatchControl {
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping: finish the work in hand, take no more. */
  isRunning(): boolean;
  /** True when the partition was reassigned or sought: drop the rest of this batch. */
  isStale(): boolean;
  /** Marks offsets up to and including `offset` as processed, in memory. */
  resolveOffset(offset: string): void;
  /** Commits the given next offset for this partition to the group, durably. */
  commit(nextOffset: string): Promise<void>;
}

export interface ConsumerPort {
  subscribe(topics: string[], options: { fromBeginning: boolean }): Promise<void>;
  run(onBatch: (batch: FetchedBatch, control: BatchControl) => Promise<void>): Promise<void>;
  /** Waits for the batch in hand to finish, then leaves the group. */
  disconnect(): Promise<void>;
  /** Commits the next offset of a partition this member holds, outside a batch (when no record comes to carry it). */
  commitIdle(topic: string, partition: number, nextOffset: string): Promise<void>;
  onCrash(listener: (error: Error, willRestart: boolean) => void): void;
  onGroupJoin(listener: (assigned: Record<string, number[]>) => void): void;
  /**
   * Called after each fetched batch with the offset of its last entry. That includes batches that hold only
   * transaction markers, which are never handed to `run`: a reader that must reach a transactional topic's
   * end learns from this that the marker closing it was consumed.
   */
  onPosition(listener: (topic: string, partition: number, lastOffset: string) => void): void;
}

export interface ProducerPort {
  /** Resolves once every message is acknowledged by all in-sync replicas. */
  send(messages: OutgoingMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface TopicCreation {
  topic: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export interface TopicDescription {
  name: string;
  partitions: number;
  /** Configs that differ from the broker's defaults. */
  configs: Record<string, string>;
}

export interface AdminPort {
  /** How many brokers the cluster has now. */
  brokerCount(): Promise<number>;
  listTopics(): Promise<string[]>;
  createTopics(topics: TopicCreation[]): Promise<void>;
  describeTopics(names: string[]): Promise<TopicDescription[]>;
  /** Replaces the topic's non-default configs with exactly these. */
  setTopicConfigs(name: string, configs: Record<string, string>): Promise<void>;
  deleteTopics(names: string[]): Promise<void>;
  /** Per partition: the earliest and the next offset to be written. */
  topicOffsets(name: string): Promise<Array<{ partition: number; low: string; high: string }>>;
  groupOffsets(groupId: string, topic: string): Promise<Array<{ partition: number; offset: string }>>;
  /** Moves an inactive group back to the earliest offset of a topic, for rebuilds. */
  resetGroupToEarliest(groupId: string, topic: string): Promise<void>;
  /** Per partition: the earliest offset whose record timestamp is at or after `timestamp` (the end offset when none is). */
  offsetsAtTime(name: string, timestamp: number): Promise<Array<{ partition: number; offset: string }>>;
  /** Sets an inactive group's committed offsets of a topic, so that its next member starts there. */
  setGroupOffsets(groupId: string, topic: string, offsets: Array<{ partition: number; offset: string }>): Promise<void>;
  disconnect(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  partitionsConsumedConcurrently?: number;
}

export interface ProducerOptions {
  /** Bounded retries of a failed send inside the client. */
  retries?: number;
}

export interface KafkaClient {
  readonly clientId: string;
  admin(): Promise<AdminPort>;
  producer(options?: ProducerOptions): Promise<ProducerPort>;
  consumer(options: ConsumerOptions): ConsumerPort;
}

export interface ConsumedOffset {
  topic: string;
  partition: number;
  /** The next offset to read, as a group commit holds it. */
  offset: string;
}

/**
 * A transactional producer: what is sent between begin and commit, and the consumed offsets
 * given to sendOffsets, become visible together or not at all. One transaction at a time; a
 * second producer with the same transactional id fences this one.
 */
export interface TransactionalProducerPort {
  begin(): Promise<void>;
  send(messages: OutgoingMessage[]): Promise<void>;
  sendOffsets(groupId: string, offsets: ConsumedOffset[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  /** True while a transaction is open. */
  inTransaction(): boolean;
  disconnect(): Promise<void>;
}

export interface LogReadRequest {
  topic: string;
  /** Only these partitions (or those chosen from the partition count); every partition when omitted. */
  partitions?: number[] | ((partitionCount: number) => number[]);
  /** Start at these offsets, by partition (the earliest retained elsewhere). */
  from?: Record<number, string>;
  /** Stop before these offsets, by partition (the end as of the call elsewhere). */
  to?: Record<number, string>;
  /** Committed records in offset order per partition. */
  onRecords(records: IncomingRecord[]): void;
  timeoutMs?: number;
}

/** Exactly-once building blocks: transactions, and reading a topic to its end as of now. */
export interface TransactionalKafka {
  transactionalProducer(options: { transactionalId: string; transactionTimeoutMs?: number }): Promise<TransactionalProducerPort>;
  /** Reads committed records from the earliest offset (or `from`) to the end as of the call (or `to`); commits nothing. */
  readToEnd(request: LogReadRequest): Promise<void>;
}
