import { type z } from 'zod';
import { PenumbraError } from '@penumbra/errors';
import { type OutgoingMessage, type ProducerPort } from './ports';

/** Producers parse before they send: a value that fails its schema never reaches the topic. */
export function encodeEvent<S extends z.ZodType>(schema: S, value: z.input<S>, topic: string, key: string | null, partition?: number): OutgoingMessage {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new PenumbraError(`refusing to produce an invalid event to ${topic}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, {
      code: 'EVENT_INVALID',
      retriable: false,
      context: { topic },
    });
  }
  const message: OutgoingMessage = { topic, key, value: JSON.stringify(parsed.data) };
  if (partition !== undefined) message.partition = partition;
  return message;
}

export class ProducerOverloadedError extends PenumbraError {
  constructor(queued: number) {
    super(`producer queue is full (${queued} messages waiting); slow down or raise maxQueued`, { code: 'PRODUCER_OVERLOADED', retriable: true, context: { queued } });
  }
}

export interface BatchingProducerOptions {
  /** Flush when this many messages wait… */
  maxBatch: number;
  /** …or when the oldest has waited this long. */
  lingerMs: number;
  /** Bound on waiting messages; past it, send rejects with a retriable ProducerOverloadedError. */
  maxQueued: number;
}

interface Pending {
  message: OutgoingMessage;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers single sends into batches. Each send resolves once its batch is acknowledged, so a
 * caller never believes a message durable before it is.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly producer: ProducerPort,
    private readonly options: BatchingProducerOptions = { maxBatch: 500, lingerMs: 5, maxQueued: 10_000 },
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  send(message: OutgoingMessage): Promise<void> {
    if (this.closed) return Promise.reject(new PenumbraError('producer is closed', { code: 'PRODUCER_CLOSED', retriable: false }));
    if (this.queue.length >= this.options.maxQueued) return Promise.reject(new ProducerOverloadedError(this.queue.length));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flushSoon(0);
      else this.flushSoon(this.options.lingerMs);
    });
  }

  /** Sends everything queued and waits for it. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) await this.drainOnce();
    await this.inFlight;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drainOnce().catch(() => undefined);
    }, delayMs);
  }

  private drainOnce(): Promise<void> {
    const batch = this.queue.splice(0, this.options.maxBatch);
    if (batch.length === 0) return this.inFlight;
    this.inFlight = this.inFlight.then(async () => {
      try {
        await this.producer.send(batch.map((p) => p.message));
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    });
    if (this.queue.length > 0) this.flushSoon(0);
    return this.inFlight;
  }
}
