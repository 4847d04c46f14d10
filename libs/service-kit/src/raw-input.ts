import { BaseRpcContext } from '@nestjs/microservices';
import { type BatchControl, type ConsumerPort, type FetchedBatch, type KafkaClient } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';

/** What a raw handler call gets beside its batch: the consumer's controls and the group it reads for. */
export class KafkaRawContext extends BaseRpcContext<[BatchControl, string]> {
  get control(): BatchControl {
    return this.args[0];
  }
  /** The consumer group the batch was fetched for: the one a transaction commits its offsets to. */
  get groupId(): string {
    return this.args[1];
  }
}

export interface RawInputOptions {
  client: KafkaClient;
  groupId: string;
  topics: string[];
  fromBeginning: boolean;
  sessionTimeoutMs?: number;
  partitionsConsumedConcurrently?: number;
  logger: Logger;
  onFatal?: (reason: string) => void;
  handler: (batch: FetchedBatch, control: BatchControl) => Promise<void>;
}

/**
 * The consumer of a raw input: batches as fetched, undecoded, to a handler that owns its offsets
 * (it commits them in the transaction that makes its output durable). Like the BatchConsumer it
 * reports its health, makes a death without restart fatal, and on stop finishes the batch in hand
 * before it leaves the group.
 */
export class RawInputConsumer {
  private consumer: ConsumerPort | undefined;
  private running = false;
  private crashed: string | undefined;
  private dead: string | undefined;

  constructor(private readonly o: RawInputOptions) {}

  async start(): Promise<void> {
    const o = this.o;
    const consumer = o.client.consumer({
      groupId: o.groupId,
      ...(o.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: o.sessionTimeoutMs }),
      ...(o.partitionsConsumedConcurrently === undefined ? {} : { partitionsConsumedConcurrently: o.partitionsConsumedConcurrently }),
    });
    this.consumer = consumer;
    consumer.onCrash((error, willRestart) => {
      this.crashed = error.message;
      o.logger.error('consumer crashed', { groupId: o.groupId, err: error, willRestart });
      if (willRestart || this.dead || !this.running) return;
      this.dead = error.message.slice(0, 500);
      o.onFatal?.(`consumer ${o.groupId} stopped for good: ${this.dead}`);
    });
    consumer.onGroupJoin((assigned) => {
      this.crashed = undefined;
      o.logger.info('joined consumer group', { groupId: o.groupId, assigned });
    });
    await consumer.subscribe(o.topics, { fromBeginning: o.fromBeginning });
    await consumer.run(o.handler);
    this.running = true;
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    this.running = false;
    await consumer?.disconnect();
  }

  health(): { ok: boolean; detail?: string } {
    if (this.dead) return { ok: false, detail: `consumer stopped for good: ${this.dead}` };
    if (this.crashed) return { ok: false, detail: `consumer crashed: ${this.crashed}` };
    return this.running ? { ok: true } : { ok: false, detail: 'consumer not running' };
  }

  liveness(): { ok: boolean; detail?: string } {
    return this.dead ? { ok: false, detail: `consumer stopped for good: ${this.dead}` } : { ok: true };
  }
}
