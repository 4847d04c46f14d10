import { SDK_DEFAULTS } from './defaults';
import { DEFAULT_TOPIC_PREFIX, type TopicKey, topicNames } from '@penumbra/contracts';
import { type KafkaClient, type KafkaConnectionConfig, type ProducerPort, createKafkaClient } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { quietLogger } from './quiet-logger';

export interface PenumbraConnectionOptions {
  brokers: string[];
  /** How this application names itself to the brokers, e.g. `orders-api`. */
  clientId: string;
  /** The fleet's topic prefix. @default 'shadow.' */
  topicPrefix?: string;
  /** @default 10000 */
  connectionTimeoutMs?: number;
  /** @default false */
  ssl?: KafkaConnectionConfig['ssl'];
  /** @default null */
  sasl?: KafkaConnectionConfig['sasl'];
  logger?: Logger;
}

export interface PenumbraConnection {
  client: KafkaClient;
  /** Acknowledged by every in-sync replica before `send` resolves. */
  producer: ProducerPort;
  topics: Record<TopicKey, string>;
  close(): Promise<void>;
}

/** What an application embedding the SDK needs to reach the fleet: a client, a producer and the topic names. */
export async function connectPenumbra(options: PenumbraConnectionOptions): Promise<PenumbraConnection> {
  const client = createKafkaClient(
    {
      brokers: options.brokers,
      clientId: options.clientId,
      connectionTimeoutMs: options.connectionTimeoutMs ?? SDK_DEFAULTS.connect.connectionTimeoutMs,
      ssl: options.ssl ?? false,
      sasl: options.sasl ?? null,
    },
    options.logger ?? quietLogger,
  );
  const producer = await client.producer();
  return { client, producer, topics: topicNames(options.topicPrefix ?? DEFAULT_TOPIC_PREFIX), close: () => producer.disconnect() };
}
