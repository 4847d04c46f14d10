import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcContext, type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom, type Observable, throwError } from 'rxjs';
import { TOPICS, type TopicKey } from '@penumbra/contracts';
import { PenumbraError } from '@penumbra/errors';
import {
  type BatchConsumerOptions,
  type BatchContext,
  type BatchControl,
  type BatchOutcome,
  BatchConsumer,
  type ConsumedRecord,
  type FetchedBatch,
  type KafkaClient,
  type ProducerPort,
} from '@penumbra/kafka';
import { type HealthRegistry, type Logger } from '@penumbra/observability';
import { type z } from 'zod';
import { KafkaRawContext, RawInputConsumer } from './raw-input';

/**
 * What `@EventPattern(topicKey, extras)` may say about the consumer that reads the topic. Topics
 * whose handlers name the same `input` are read by one consumer group, in one stream of batches.
 */
export interface BatchInputOptions {
  /** The input's name; its consumer group is the service's group with `-<input>` appended. @default the service's own group */
  input?: string;
  /** Partitions handled at once. @default 1 */
  concurrency?: number;
  /** The most records handed to one handler call. @default 500 */
  maxRecordsPerCall?: number;
  /** See BatchConsumerOptions.idleTickMs: for handlers that hold records across batches. */
  idleTickMs?: number;
  /** Where a group with no committed offset starts. @default true (the earliest retained record) */
  fromBeginning?: boolean;
  /**
   * Hands the handler each batch as fetched, undecoded, with a KafkaRawContext: the handler owns the
   * offsets (it commits them in the transaction that makes its output durable), so the transport
   * neither decodes, dead-letters nor commits. Every pattern of the input must say it.
   */
  raw?: boolean;
  /**
   * The schema of a pattern that is not a topic key: a topic outside the project's (a capture
   * tool's), whose name is given at run time by `configureInput`.
   */
  schema?: z.ZodType<unknown>;
}

/** What only the environment knows about an input, settled before the transport listens. */
export interface InputSettings extends Omit<BatchInputOptions, 'input' | 'schema'> {
  /** The topic names of the input's patterns that are not topic keys, by pattern. */
  externalTopics?: Record<string, string>;
  /** Leaves the input unread: the optional source it reads is not configured. */
  disabled?: boolean;
}

/** The Kafka side of one handler call: where the batch comes from, and the consumer's controls. */
export class KafkaBatchContext extends BaseRpcContext<[BatchContext, { first: string; last: string } | undefined, string]> {
  get batch(): BatchContext {
    return this.args[0];
  }
  get topic(): string {
    return this.args[0].topic;
  }
  get partition(): number {
    return this.args[0].partition;
  }
  /** The first and last offsets of the batch; undefined on an idle call, which carries no records. */
  get offsets(): { first: string; last: string } | undefined {
    return this.args[1];
  }
  /** The consumer group the batch was fetched for (its offsets are committed to it). */
  get groupId(): string {
    return this.args[2];
  }
  /** Keeps the group membership alive while the handler waits; absent on an idle call. */
  heartbeat(): Promise<void> {
    return this.args[0].heartbeat?.() ?? Promise.resolve();
  }
}

/**
 * Nest turns what a microservice handler throws into `{ status: 'error' }`, losing the error. The
 * consumer needs the error itself: whether it is retriable decides between a retry and a dead letter.
 */
@Catch()
export class RethrowHandlerErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

export interface BatchTransportOptions {
  client: KafkaClient;
  topics: Record<TopicKey, string>;
  logger: Logger;
  health: HealthRegistry;
  /** The consumer group of an input (undefined: the service's own). */
  groupId(input?: string): string;
  /** What every consumer shares: dead-letter and alert topics, metrics, a death made fatal. */
  consumerDefaults: Omit<BatchConsumerOptions<unknown>, 'client' | 'groupId' | 'topics' | 'handler' | 'deadLetters' | 'logger'>;
}

interface InputConsumer {
  stop(): Promise<void>;
  health(): { ok: boolean; detail?: string };
  liveness(): { ok: boolean; detail?: string };
}

interface Input {
  name: string;
  options: BatchInputOptions;
  /** Its patterns: topic keys, or external patterns with a schema. */
  topics: string[];
  groupId: string | undefined;
  consumer: InputConsumer | undefined;
}

const MAIN_INPUT = '';

/**
 * The service's Kafka input as a Nest microservice transport. Handlers declared with
 * `@EventPattern(topicKey)` receive the decoded, valid records of one partition in offset order,
 * with a KafkaBatchContext, and return what the BatchConsumer expects (rejections, `commitBefore`).
 * The BatchConsumer keeps its guarantees: offsets are committed only after the handler resolved
 * (its output durable) and the invalid records were dead-lettered; a retriable error is retried,
 * any other narrowed to the records that cause it. `close()` finishes the batches in hand and
 * commits them, and only then returns, so what the handlers use must be closed after it
 * (in `onApplicationShutdown`, which Nest runs after the transports are closed).
 */
export class BatchTransport extends Server implements CustomTransportStrategy {
  private readonly inputs = new Map<string, Input>();
  /** Groups chosen with useGroup before the inputs are known. */
  private readonly pendingGroups = new Map<string, string>();
  private readonly settings = new Map<string, InputSettings>();
  private deadLetters: ProducerPort | undefined;
  private listening = false;

  constructor(private readonly options: BatchTransportOptions) {
    super();
  }

  /** Reads an input with this consumer group instead of the one named from the environment; before listen, or on a running input to move it. */
  async useGroup(input: string | undefined, groupId: string): Promise<void> {
    const name = input ?? MAIN_INPUT;
    const found = this.inputs.get(name);
    if (!found) {
      this.pendingGroups.set(name, groupId);
      return;
    }
    if (found.groupId === groupId) return;
    const running = found.consumer;
    found.consumer = undefined;
    await running?.stop();
    found.groupId = groupId;
    if (running) await this.startInput(found);
  }

  /** Settles what the environment decides about an input (concurrency, start, external topic names); before listen. */
  configureInput(input: string | undefined, settings: InputSettings): void {
    const name = input ?? MAIN_INPUT;
    this.settings.set(name, { ...this.settings.get(name), ...settings });
  }

  /** The consumer group an input currently reads with. */
  groupOf(input?: string): string | undefined {
    const name = input ?? MAIN_INPUT;
    return this.inputs.get(name)?.groupId ?? this.pendingGroups.get(name);
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  async close(): Promise<void> {
    this.listening = false;
    for (const input of this.inputs.values()) {
      const consumer = input.consumer;
      input.consumer = undefined;
      try {
        await consumer?.stop();
      } catch (err) {
        this.options.logger.error('stop failed', { part: `${input.topics.join('+')} consumer`, err });
      }
    }
    const deadLetters = this.deadLetters;
    this.deadLetters = undefined;
    if (!deadLetters) return;
    await deadLetters.disconnect();
    this.options.logger.info('service stopped: work in hand finished and committed');
  }

  on(): never {
    throw new PenumbraError('the batch transport emits no events to subscribe to', { code: 'UNSUPPORTED', retriable: false });
  }

  unwrap<T>(): T {
    throw new PenumbraError('the batch transport wraps no client of its own', { code: 'UNSUPPORTED', retriable: false });
  }

  private async start(): Promise<void> {
    if (this.listening) return;
    this.collectInputs();
    for (const name of [...this.inputs.keys()]) if (this.settings.get(name)?.disabled) this.inputs.delete(name);
    if (this.inputs.size === 0) return;
    this.deadLetters = await this.options.client.producer();
    this.listening = true;
    for (const input of this.inputs.values()) await this.startInput(input);
  }

  /** Groups the event handlers by input, checking that each pattern names a topic. */
  private collectInputs(): void {
    for (const [pattern, handler] of this.getHandlers()) {
      const options = (handler.extras ?? {}) as BatchInputOptions;
      if (!(pattern in TOPICS) && !options.schema)
        throw new PenumbraError(`@EventPattern("${pattern}") names no topic; use a topic key (${Object.keys(TOPICS).join(', ')}) or give the schema of an external topic`, {
          code: 'PATTERN_NOT_A_TOPIC',
          retriable: false,
          context: { pattern },
        });
      const name = options.input ?? MAIN_INPUT;
      const input = this.inputs.get(name) ?? { name, options: {}, topics: [], groupId: this.pendingGroups.get(name), consumer: undefined };
      if (input.topics.length > 0 && Boolean(input.options.raw) !== Boolean(options.raw))
        throw new PenumbraError(`@EventPattern("${pattern}") mixes raw and decoded handlers in one input; give the raw ones an input of their own`, {
          code: 'INPUT_MIXES_RAW',
          retriable: false,
          context: { pattern },
        });
      input.options = { ...options, ...input.options };
      input.topics.push(pattern);
      this.inputs.set(name, input);
    }
  }

  private async startInput(input: Input): Promise<void> {
    const o = this.options;
    const groupId = input.groupId ?? o.groupId(input.name === MAIN_INPUT ? undefined : input.name);
    input.groupId = groupId;
    const deadLetters = this.deadLetters;
    if (!deadLetters || !this.listening) return;
    const settings = this.settings.get(input.name) ?? {};
    const options = { ...input.options, ...settings };
    const handlers = new Map<string, MessageHandler>();
    const topics: Array<{ topic: string; schema: z.ZodType<unknown> }> = [];
    for (const pattern of input.topics) {
      const handler = this.getHandlerByPattern(pattern);
      const topic = this.topicOf(pattern, handler, settings);
      if (handler) handlers.set(topic.topic, handler);
      topics.push(topic);
    }
    // Named after the input when it has a name of its own, else after its first topic: 'traffic-consumer', 'corpus-consumer'.
    const name = input.name !== MAIN_INPUT ? input.name : (input.topics[0] ?? 'input');
    const consumer = options.raw
      ? new RawInputConsumer({
          client: o.client,
          groupId,
          topics: topics.map((t) => t.topic),
          fromBeginning: options.fromBeginning ?? true,
          sessionTimeoutMs: o.consumerDefaults.sessionTimeoutMs,
          ...(options.concurrency === undefined ? {} : { partitionsConsumedConcurrently: options.concurrency }),
          logger: o.logger.child({ consumer: name }),
          ...(o.consumerDefaults.onFatal ? { onFatal: o.consumerDefaults.onFatal } : {}),
          handler: (batch, control) => this.dispatchRaw(handlers, groupId, batch, control),
        })
      : new BatchConsumer<unknown>({
          ...o.consumerDefaults,
          client: o.client,
          groupId,
          topics,
          handler: (records, context) => this.dispatch(handlers, groupId, records, context),
          deadLetters,
          logger: o.logger.child({ consumer: name }),
          ...(options.concurrency === undefined ? {} : { partitionsConsumedConcurrently: options.concurrency }),
          ...(options.maxRecordsPerCall === undefined ? {} : { maxRecordsPerCall: options.maxRecordsPerCall }),
          ...(options.idleTickMs === undefined ? {} : { idleTickMs: options.idleTickMs }),
          ...(options.fromBeginning === undefined ? {} : { fromBeginning: options.fromBeginning }),
        });
    await consumer.start();
    input.consumer = consumer;
    o.health.register(`${name}-consumer`, () => consumer.health());
    o.health.registerLiveness(`${name}-consumer`, () => consumer.liveness());
  }

  /** A topic key's prefixed topic, or an external pattern's topic as configured. */
  private topicOf(pattern: string, handler: MessageHandler | null, settings: InputSettings): { topic: string; schema: z.ZodType<unknown> } {
    if (pattern in TOPICS) return { topic: this.options.topics[pattern as TopicKey], schema: TOPICS[pattern as TopicKey].schema as z.ZodType<unknown> };
    const topic = settings.externalTopics?.[pattern];
    const schema = (handler?.extras as BatchInputOptions | undefined)?.schema;
    if (topic === undefined || !schema)
      throw new PenumbraError(`@EventPattern("${pattern}") reads an external topic that was not named; configureInput names it, or disables the input`, {
        code: 'EXTERNAL_TOPIC_UNNAMED',
        retriable: false,
        context: { pattern },
      });
    return { topic, schema };
  }

  private async dispatchRaw(handlers: Map<string, MessageHandler>, groupId: string, batch: FetchedBatch, control: BatchControl): Promise<void> {
    const handler = handlers.get(batch.topic);
    if (!handler) throw new PenumbraError(`no handler for topic ${batch.topic}`, { code: 'TOPIC_UNBOUND', retriable: false, context: { topic: batch.topic } });
    const result: unknown = await handler(batch, new KafkaRawContext([control, groupId]));
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }

  private async dispatch(handlers: Map<string, MessageHandler>, groupId: string, records: ConsumedRecord<unknown>[], context: BatchContext): Promise<BatchOutcome | void> {
    const handler = handlers.get(context.topic);
    if (!handler) throw new PenumbraError(`no handler for topic ${context.topic}`, { code: 'TOPIC_UNBOUND', retriable: false, context: { topic: context.topic } });
    const first = records[0];
    const last = records[records.length - 1];
    const result: unknown = await handler(records, new KafkaBatchContext([context, first && last ? { first: first.offset, last: last.offset } : undefined, groupId]));
    return (isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result) as BatchOutcome | void;
  }
}
