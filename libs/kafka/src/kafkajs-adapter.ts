import { KAFKA_DEFAULTS } from './defaults';
import { type Admin, ConfigResourceTypes, Kafka, type KafkaConfig, type Consumer, logLevel, type LogEntry, type Message } from 'kafkajs';
import { PenumbraError, UnavailableError } from '@penumbra/errors';
import { type Logger } from '@penumbra/observability';
import { type KafkaConnectionConfig } from './connection';
import { installLinearRecordDecoder } from './kafkajs-record-decoder';
import { produceRequests } from './produce-requests';
import {
  type AdminPort,
  type ConsumerOptions,
  type ConsumerPort,
  type IncomingRecord,
  type KafkaClient,
  type OutgoingMessage,
  type ProducerOptions,
  type ProducerPort,
} from './ports';

export function toKafkaConfig(config: KafkaConnectionConfig, logger: Logger): KafkaConfig {
  const kafkaConfig: KafkaConfig = {
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: KAFKA_DEFAULTS.client.requestTimeoutMs,
    retry: { ...KAFKA_DEFAULTS.client.retry },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...fields } = log;
        const text = `kafka: ${message}`;
        if (level <= logLevel.ERROR) logger.error(text, fields);
        else if (level === logLevel.WARN) logger.warn(text, fields);
        else logger.debug(text, fields);
      },
  };
  if (config.ssl) kafkaConfig.ssl = config.ssl;
  if (config.sasl) {
    const { username, password } = config.sasl;
    kafkaConfig.sasl =
      config.sasl.mechanism === 'plain'
        ? { mechanism: 'plain', username, password }
        : config.sasl.mechanism === 'scram-sha-256'
          ? { mechanism: 'scram-sha-256', username, password }
          : { mechanism: 'scram-sha-512', username, password };
  }
  return kafkaConfig;
}

export function headersOf(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (Buffer.isBuffer(v)) out[k] = v.toString('utf8');
    else if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && v.length > 0) out[k] = String(v[v.length - 1]);
  }
  return out;
}

/**
 * kafkajs says itself whether an error is worth retrying (a leader moving is, a message over the
 * broker's size limit is not); only the former becomes a retriable UnavailableError.
 */
export function kafkaFailure(what: string, err: unknown): PenumbraError {
  const message = `kafka ${what} failed: ${err instanceof Error ? err.message : String(err)}`;
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const rejected = (err as { retriable?: boolean }).retriable === false && (cause as { retriable?: boolean }).retriable === false;
  if (rejected) return new PenumbraError(message, { code: 'KAFKA_REQUEST_REJECTED', retriable: false, context: { what }, cause: err });
  return new UnavailableError(message, { what }, err);
}

function wrapConsumer(consumer: Consumer, concurrency: number): ConsumerPort {
  return {
    async subscribe(topics, { fromBeginning }) {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning });
    },
    async run(onBatch) {
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: concurrency,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          const records: IncomingRecord[] = batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            timestamp: m.timestamp,
            key: m.key ?? null,
            value: m.value ?? null,
            headers: headersOf(m.headers),
          }));
          await onBatch(
            { topic: batch.topic, partition: batch.partition, highWatermark: batch.highWatermark, records },
            {
              heartbeat,
              isRunning,
              isStale,
              resolveOffset,
              commit: (nextOffset) => consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset }]),
            },
          );
        },
      });
    },
    disconnect: () => consumer.disconnect(),
    commitIdle: (topic, partition, nextOffset) => consumer.commitOffsets([{ topic, partition, offset: nextOffset }]),
    onCrash(listener) {
      consumer.on(consumer.events.CRASH, (e) => listener(e.payload.error, e.payload.restart));
    },
    onGroupJoin(listener) {
      consumer.on(consumer.events.GROUP_JOIN, (e) => listener(e.payload.memberAssignment));
    },
    onPosition(listener) {
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => listener(e.payload.topic, e.payload.partition, e.payload.lastOffset));
    },
  };
}

export function byTopic(messages: OutgoingMessage[]): Array<{ topic: string; messages: Message[] }> {
  const topics = new Map<string, Message[]>();
  for (const m of messages) {
    const list = topics.get(m.topic) ?? [];
    list.push({ key: m.key, value: m.value, partition: m.partition, headers: m.headers });
    topics.set(m.topic, list);
  }
  return [...topics].map(([topic, list]) => ({ topic, messages: list }));
}

/** The one place kafkajs is used. */
export function createKafkaClient(config: KafkaConnectionConfig, logger: Logger): KafkaClient {
  installLinearRecordDecoder();
  const kafka = new Kafka(toKafkaConfig(config, logger));
  return {
    clientId: config.clientId,
    async admin(): Promise<AdminPort> {
      const admin = kafka.admin();
      try {
        await admin.connect();
      } catch (err) {
        throw kafkaFailure('admin connect', err);
      }
      return {
        listTopics: () => admin.listTopics(),
        async createTopics(topics) {
          try {
            await admin.createTopics({
              waitForLeaders: true,
              topics: topics.map((t) => ({
                topic: t.topic,
                numPartitions: t.partitions,
                replicationFactor: t.replicationFactor,
                configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
              })),
            });
          } catch (err) {
            // On a cluster, the broker kafkajs asks for leaders may not know the new topics yet; they exist, so wait for their leaders.
            if (!isUnknownTopic(err)) throw err;
            await waitForLeaders(
              admin,
              topics.map((t) => t.topic),
            );
          }
        },
        brokerCount: async () => (await admin.describeCluster()).brokers.length,
        async describeTopics(names) {
          if (names.length === 0) return [];
          // On a cluster, a topic just created may not have reached every broker's metadata yet.
          const meta = await whileUnknown(() => admin.fetchTopicMetadata({ topics: names }));
          const configs = await whileUnknown(() =>
            admin.describeConfigs({
              includeSynonyms: false,
              resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
            }),
          );
          return names.map((name) => {
            const entries = configs.resources.find((r) => r.resourceName === name)?.configEntries ?? [];
            return {
              name,
              partitions: meta.topics.find((t) => t.name === name)?.partitions.length ?? 0,
              configs: Object.fromEntries(entries.filter((e) => !e.isDefault && e.configValue !== null).map((e) => [e.configName, e.configValue])),
            };
          });
        },
        async setTopicConfigs(name, configs) {
          await admin.alterConfigs({
            validateOnly: false,
            resources: [{ type: ConfigResourceTypes.TOPIC, name, configEntries: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
          });
        },
        deleteTopics: (names) => admin.deleteTopics({ topics: names }),
        async topicOffsets(name) {
          const offsets = await admin.fetchTopicOffsets(name);
          return offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high }));
        },
        async groupOffsets(groupId, topic) {
          const res = await admin.fetchOffsets({ groupId, topics: [topic] });
          return (res[0]?.partitions ?? []).map((p) => ({ partition: p.partition, offset: p.offset }));
        },
        resetGroupToEarliest: (groupId, topic) => admin.resetOffsets({ groupId, topic, earliest: true }),
        async offsetsAtTime(name, timestamp) {
          const [byTime, ends] = await Promise.all([admin.fetchTopicOffsetsByTimestamp(name, timestamp), admin.fetchTopicOffsets(name)]);
          // The broker answers -1 for a partition with no record at or after the time: its end.
          return byTime.map((o) => ({ partition: o.partition, offset: o.offset === '-1' ? (ends.find((e) => e.partition === o.partition)?.high ?? '0') : o.offset }));
        },
        setGroupOffsets: (groupId, topic, offsets) => admin.setOffsets({ groupId, topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.offset })) }),
        disconnect: () => admin.disconnect(),
      };
    },
    async producer(options: ProducerOptions = {}): Promise<ProducerPort> {
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 5,
        allowAutoTopicCreation: false,
        retry: { retries: options.retries ?? KAFKA_DEFAULTS.producer.retries },
      });
      try {
        await producer.connect();
      } catch (err) {
        throw kafkaFailure('producer connect', err);
      }
      return {
        async send(messages) {
          if (messages.length === 0) return;
          try {
            for (const request of produceRequests(messages)) await producer.sendBatch({ acks: -1, topicMessages: byTopic(request) });
          } catch (err) {
            throw kafkaFailure('produce', err);
          }
        },
        disconnect: () => producer.disconnect(),
      };
    },
    consumer(options: ConsumerOptions): ConsumerPort {
      return wrapConsumer(kafka.consumer(kafkajsConsumerConfig(options)), options.partitionsConsumedConcurrently ?? KAFKA_DEFAULTS.consumer.partitionsConsumedConcurrently);
    },
  };
}

/**
 * kafkajs asks for at most this much per partition and fetch, and never gets past a record batch
 * larger than that: the partition stalls silently. The broker's default limit (message.max.bytes,
 * 1 MiB plus 12 bytes) already exceeds 1 MiB, so the bound must sit well above any topic's
 * max.message.bytes; the decoders refuse values over 16 MiB anyway.
 */
export function kafkajsConsumerConfig(options: ConsumerOptions) {
  return {
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? KAFKA_DEFAULTS.consumer.sessionTimeoutMs,
    heartbeatInterval: KAFKA_DEFAULTS.consumer.heartbeatIntervalMs,
    maxBytesPerPartition: options.maxBytesPerPartition ?? KAFKA_DEFAULTS.consumer.maxBytesPerPartition,
    allowAutoTopicCreation: false,
    retry: { retries: KAFKA_DEFAULTS.consumer.retries },
  };
}

const LEADER_WAIT_MS = 30_000;

const isUnknownTopic = (err: unknown) => (err as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION';

/** Repeats `call` (bounded) while a broker answers that it does not know the topic yet. */
async function whileUnknown<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (!isUnknownTopic(err) || Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls the metadata (bounded) until every partition of the topics has a leader. */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    const meta = await whileUnknown(() => admin.fetchTopicMetadata({ topics }));
    if (meta.topics.length === topics.length && meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    if (Date.now() > deadline) throw new UnavailableError(`the new topics have no leaders after ${LEADER_WAIT_MS} ms`, { topics });
    await new Promise((r) => setTimeout(r, 200));
  }
}
