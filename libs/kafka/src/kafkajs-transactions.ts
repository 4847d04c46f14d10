import { KAFKA_DEFAULTS } from './defaults';
import { randomBytes } from 'node:crypto';
import { Kafka, type Transaction } from 'kafkajs';
import { PenumbraError, UnavailableError } from '@penumbra/errors';
import { type Logger } from '@penumbra/observability';
import { type KafkaConnectionConfig } from './connection';
import { byTopic, headersOf, kafkaFailure, toKafkaConfig } from './kafkajs-adapter';
import { produceRequests } from './produce-requests';
import { installLinearRecordDecoder } from './kafkajs-record-decoder';
import { type IncomingRecord, type LogReadRequest, type TransactionalKafka, type TransactionalProducerPort } from './ports';

/** The kafkajs side of transactions and of reading a log to its end (kafkajs lives only here, in kafkajs-adapter.ts and in kafkajs-record-decoder.ts). */
function transactionalProducerPort(kafka: Kafka, transactionalId: string, transactionTimeoutMs: number): TransactionalProducerPort & { connect(): Promise<void> } {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, transactionTimeout: transactionTimeoutMs });
  let txn: Transaction | undefined;
  const open = (): Transaction => {
    if (!txn) throw new PenumbraError('no transaction is open', { code: 'KAFKA_NO_TRANSACTION', retriable: false, context: { transactionalId } });
    return txn;
  };
  const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      throw kafkaFailure(what, err);
    }
  };
  return {
    // connect() initialises the producer id, which fences an older producer with this id and aborts its open transaction.
    connect: () => attempt('transactional producer connect', () => producer.connect()),
    begin: () => attempt('begin transaction', async () => (txn = await producer.transaction())),
    send: (messages) =>
      attempt('transactional produce', async () => {
        for (const request of produceRequests(messages)) await open().sendBatch({ acks: -1, topicMessages: byTopic(request) });
      }),
    sendOffsets: (groupId, offsets) =>
      attempt('send offsets to transaction', () => {
        const topics = new Map<string, Array<{ partition: number; offset: string }>>();
        for (const o of offsets) topics.set(o.topic, [...(topics.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
        return open().sendOffsets({ consumerGroupId: groupId, topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) });
      }),
    commit: () =>
      attempt('commit transaction', async () => {
        await open().commit();
        txn = undefined;
      }),
    abort: () =>
      attempt('abort transaction', async () => {
        const t = txn;
        txn = undefined;
        if (t?.isActive()) await t.abort();
      }),
    inTransaction: () => txn !== undefined,
    disconnect: () => producer.disconnect(),
  };
}

async function readToEnd(kafka: Kafka, clientId: string, request: LogReadRequest): Promise<void> {
  const admin = kafka.admin();
  let all: Array<{ partition: number; low: string; high: string }>;
  try {
    await admin.connect();
    all = await admin.fetchTopicOffsets(request.topic);
  } catch (err) {
    throw kafkaFailure('read topic offsets', err);
  } finally {
    await admin.disconnect();
  }
  const chosen = typeof request.partitions === 'function' ? request.partitions(all.length) : request.partitions;
  const wanted = all.filter((o) => !chosen || chosen.includes(o.partition));
  const startOf = (o: { partition: number; low: string }) => {
    const from = request.from?.[o.partition];
    return from !== undefined && BigInt(from) > BigInt(o.low) ? BigInt(from) : BigInt(o.low);
  };
  const endOf = (o: { partition: number; high: string }) => {
    const to = request.to?.[o.partition];
    return to !== undefined && BigInt(to) < BigInt(o.high) ? BigInt(to) : BigInt(o.high);
  };
  const starts = new Map(wanted.map((o) => [o.partition, startOf(o)]));
  // The last offset may be a transaction marker, which no batch shows: progress comes from the batch events, which do.
  const remaining = new Map(wanted.filter((o) => endOf(o) > startOf(o)).map((o) => [o.partition, endOf(o) - 1n]));
  const targets = new Map(remaining);
  if (remaining.size === 0) return;
  const consumer = kafka.consumer({
    groupId: `${clientId}-reader-${randomBytes(6).toString('hex')}`,
    sessionTimeout: KAFKA_DEFAULTS.reader.sessionTimeoutMs,
    allowAutoTopicCreation: false,
    retry: { retries: KAFKA_DEFAULTS.consumer.retries },
  });
  let settle: (err?: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const target = remaining.get(payload.partition);
    if (payload.topic !== request.topic || target === undefined || BigInt(payload.lastOffset) < target) return;
    remaining.delete(payload.partition);
    if (remaining.size === 0) settle();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) settle(kafkaFailure(`read ${request.topic}`, payload.error));
  });
  const timeoutMs = request.timeoutMs ?? KAFKA_DEFAULTS.reader.timeoutMs;
  const timer = setTimeout(() => settle(new UnavailableError(`reading ${request.topic} to its end took more than ${timeoutMs} ms`, { topic: request.topic })), timeoutMs);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [request.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const target = targets.get(batch.partition);
        if (target === undefined) return;
        const start = starts.get(batch.partition) ?? 0n;
        const records: IncomingRecord[] = batch.messages
          .filter((m) => BigInt(m.offset) <= target && BigInt(m.offset) >= start)
          .map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            timestamp: m.timestamp,
            key: m.key ?? null,
            value: m.value ?? null,
            headers: headersOf(m.headers),
          }));
        if (records.length > 0) request.onRecords(records);
      },
    });
    const others = all.map((o) => o.partition).filter((p) => !targets.has(p));
    if (others.length > 0) consumer.pause([{ topic: request.topic, partitions: others }]);
    for (const p of targets.keys()) {
      const from = request.from?.[p];
      if (from !== undefined) consumer.seek({ topic: request.topic, partition: p, offset: String(starts.get(p) ?? from) });
    }
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}

/** Transactions and reads to the end of a topic, kept apart from KafkaClient so that its fakes stay small. */
export function createTransactionalKafka(config: KafkaConnectionConfig, logger: Logger): TransactionalKafka {
  installLinearRecordDecoder();
  const kafka = new Kafka(toKafkaConfig(config, logger));
  return {
    async transactionalProducer({ transactionalId, transactionTimeoutMs }) {
      const port = transactionalProducerPort(kafka, transactionalId, transactionTimeoutMs ?? KAFKA_DEFAULTS.producer.transactionTimeoutMs);
      await port.connect();
      return port;
    },
    readToEnd: (request) => readToEnd(kafka, config.clientId, request),
  };
}
