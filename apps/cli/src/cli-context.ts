import {
  EXPERIMENT_DELETION_HEADER,
  type ExperimentRecord,
  type OperatorKeys,
  type TopicKey,
  experimentRecordSchema,
  topicNames,
  verifyExperimentDeletion,
  verifyExperimentRecord,
} from '@penumbra/contracts';
import { type KafkaClient, type TransactionalKafka, createKafkaClient, createTransactionalKafka, decodeRecord, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { type RedisClient, createRedis, redisConnectionFromEnv } from '@penumbra/redis';
import { type CliEnv, cliEnv } from './cli-env';
import { trustedOperatorKeys } from './operator-key';

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

  /**
   * Every experiment as the services see it: the latest record per id that verifies against
   * PENUMBRA_OPERATOR_KEYS_FILE (every record when it is unset), deletions applied.
   */
  async experiments(): Promise<Map<string, ExperimentRecord>> {
    return (await this.experimentsChecked()).records;
  }

  /** The experiments, who signed each (unset: not checked) and, per id, why its latest refused record was refused. */
  async experimentsChecked(): Promise<{ records: Map<string, ExperimentRecord>; signedBy: Map<string, string>; refused: Map<string, string>; checked: boolean }> {
    const keys: OperatorKeys | undefined = trustedOperatorKeys(this.env.PENUMBRA_OPERATOR_KEYS_FILE);
    const records = new Map<string, ExperimentRecord>();
    const signedBy = new Map<string, string>();
    const refused = new Map<string, string>();
    await this.log().readToEnd({
      topic: this.topics.experiments,
      timeoutMs: 60_000,
      onRecords: (batch) => {
        for (const r of batch) {
          const key = r.key?.toString('utf8');
          if (key === undefined) continue;
          if (r.value === null) {
            const deletion = keys === undefined || !records.has(key) ? undefined : verifyExperimentDeletion(r.headers[EXPERIMENT_DELETION_HEADER], key, keys);
            if (deletion !== undefined && !deletion.ok) refused.set(key, `deletion refused: ${deletion.reason}`);
            else {
              records.delete(key);
              refused.delete(key);
            }
            continue;
          }
          const decoded = decodeRecord(r.value, experimentRecordSchema);
          if (!decoded.ok) continue;
          const verdict = keys === undefined ? undefined : verifyExperimentRecord(decoded.value, key, keys);
          if (verdict !== undefined && !verdict.ok) {
            refused.set(decoded.value.experimentId, verdict.reason);
            continue;
          }
          records.set(key, decoded.value);
          refused.delete(key);
          if (verdict?.ok) signedBy.set(key, verdict.operator);
        }
      },
    });
    return { records, signedBy, refused, checked: keys !== undefined };
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
