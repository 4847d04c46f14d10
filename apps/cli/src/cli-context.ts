import { type ExperimentRecord, type TopicKey, experimentRecordSchema, topicNames } from '@penumbra/contracts';
import { type KafkaClient, type TransactionalKafka, createKafkaClient, createTransactionalKafka, decodeRecord, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { type RedisClient, createRedis, redisConnectionFromEnv } from '@penumbra/redis';
import { type CliEnv, cliEnv } from './cli-env';

/** What the read and write commands talk to, opened lazily and closed once. */
export class CliContext {
  readonly env: CliEnv = cliEnv();
  readonly topics: Record<TopicKey, string> = topicNames(this.env.TOPIC_PREFIX);
  private redisClient: RedisClient | undefined;
  private kafkaClient: KafkaClient | undefined;
  private logClient: TransactionalKafka | undefined;

  kafka(): KafkaClient {
    this.kafkaClient ??= createKafkaClient(kafkaConnectionFromEnv(this.env, 'penumbra-cli'), silentLogger);
    return this.kafkaClient;
  }

  log(): TransactionalKafka {
    this.logClient ??= createTransactionalKafka(kafkaConnectionFromEnv(this.env, 'penumbra-cli'), silentLogger);
    return this.logClient;
  }

  async redis(): Promise<RedisClient> {
    if (this.redisClient === undefined) {
      this.redisClient = createRedis(redisConnectionFromEnv(this.env, 'penumbra-cli'));
      await this.redisClient.connect();
    }
    return this.redisClient;
  }

  /** Every experiment as the compacted topic holds it now: the latest record per id, deletions applied. */
  async experiments(): Promise<Map<string, ExperimentRecord>> {
    const table = new Map<string, ExperimentRecord>();
    await this.log().readToEnd({
      topic: this.topics.experiments,
      timeoutMs: 60_000,
      onRecords: (records) => {
        for (const r of records) {
          const key = r.key?.toString('utf8');
          if (key === undefined) continue;
          if (r.value === null) {
            table.delete(key);
            continue;
          }
          const decoded = decodeRecord(r.value, experimentRecordSchema);
          if (decoded.ok) table.set(key, decoded.value);
        }
      },
    });
    return table;
  }

  async experiment(id: string): Promise<ExperimentRecord | undefined> {
    return (await this.experiments()).get(id);
  }

  close(): void {
    this.redisClient?.disconnect();
  }
}

/** Runs a command body with a context that is closed afterwards. */
export async function withContext<T>(body: (ctx: CliContext) => Promise<T>): Promise<T> {
  const ctx = new CliContext();
  try {
    return await body(ctx);
  } finally {
    ctx.close();
  }
}
