import { type TopicKey, topicNames } from '@penumbra/contracts';
import {
  type AdminPort,
  type IncomingRecord,
  type KafkaClient,
  type OutgoingMessage,
  type ProducerPort,
  type ProvisionOptions,
  type ProvisionReport,
  createKafkaClient,
  provisionTopics,
} from '@penumbra/kafka';
import { type Logger, silentLogger } from '@penumbra/observability';
import { type TestNamespace, type TestOperatorKeys, ensureKafka, testNamespace, testOperatorKeys, waitFor } from '@penumbra/testing';

export interface TestKafka {
  ns: TestNamespace;
  brokers: string[];
  client: KafkaClient;
  admin: AdminPort;
  producer: ProducerPort;
  topics: Record<TopicKey, string>;
  /** The namespace's operator keys: publishExperiments signs with the admin's, services verify with `operators.env`. */
  operators: TestOperatorKeys;
  /** Creates the namespace's topics, one partition each unless overridden. */
  provision(overrides?: ProvisionOptions['overrides']): Promise<ProvisionReport>;
  send(messages: OutgoingMessage[]): Promise<void>;
  /** Creates an extra topic in the namespace (deleted by close) and waits until it has leaders. */
  createTopic(suffix: string, partitions?: number): Promise<string>;
  /** Reads a topic from the beginning until `count` records arrived (no commits). */
  readAll(topic: string, count: number, timeoutMs?: number): Promise<IncomingRecord[]>;
  /** Deletes the namespace's topics and disconnects. */
  close(): Promise<void>;
}

const SINGLE_PARTITION: ProvisionOptions['overrides'] = Object.fromEntries(
  (['traffic', 'experiments', 'pairs', 'diffs', 'metrics', 'aggregates', 'control', 'commands', 'alerts', 'acks', 'audit', 'dlq', 'corpus'] as const).map((k) => [
    k,
    { partitions: 1 },
  ]),
);

/** `operators`: operators (name → roles) to hold keys beside the admin every namespace has. */
export async function createTestKafka(label: string, logger: Logger = silentLogger, operators: Record<string, string[]> = {}): Promise<TestKafka> {
  const brokers = await ensureKafka();
  const ns = testNamespace(label);
  const client = createKafkaClient({ brokers, clientId: ns.id, connectionTimeoutMs: 10_000, ssl: false, sasl: null }, logger);
  const admin = await waitFor(() => client.admin(), { timeoutMs: 60_000, what: 'the Kafka admin client to connect' });
  const producer = await client.producer();
  const topics = topicNames(ns.topicPrefix);
  const created = new Set<string>();
  return {
    ns,
    brokers,
    client,
    admin,
    producer,
    topics,
    operators: testOperatorKeys(operators),
    async provision(overrides) {
      const merged = { ...SINGLE_PARTITION };
      for (const [k, v] of Object.entries(overrides ?? {})) merged[k as TopicKey] = { ...merged[k as TopicKey], ...v };
      const report = await provisionTopics(admin, { prefix: ns.topicPrefix, overrides: merged });
      report.created.forEach((t) => created.add(t));
      return report;
    },
    send: (messages) => producer.send(messages),
    async createTopic(suffix, partitions = 1) {
      const name = `${ns.topicPrefix}${suffix}`;
      await admin.createTopics([{ topic: name, partitions, replicationFactor: 1, configs: {} }]);
      created.add(name);
      await waitFor(async () => (await admin.topicOffsets(name)).length === partitions, { what: `${name} to have leaders` });
      return name;
    },
    async readAll(topic, count, timeoutMs = 30_000) {
      const consumer = client.consumer({ groupId: ns.groupId(`reader-${Math.random().toString(36).slice(2)}`) });
      const seen: IncomingRecord[] = [];
      await consumer.subscribe([topic], { fromBeginning: true });
      await consumer.run(async (batch, control) => {
        seen.push(...batch.records);
        const last = batch.records[batch.records.length - 1];
        if (last) control.resolveOffset(last.offset);
      });
      try {
        await waitFor(() => seen.length >= count, { timeoutMs, what: () => `${count} records on ${topic} (have ${seen.length})` });
      } finally {
        await consumer.disconnect();
      }
      return seen;
    },
    async close() {
      await producer.disconnect();
      if (created.size > 0) await admin.deleteTopics([...created]).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
