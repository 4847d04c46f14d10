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

declare const parsedBrand: unique symbol;
/** An event its producer has just parsed with the event's schema: sent as it is, never parsed twice. */
export type ParsedEvent<T> = T & { readonly [parsedBrand]: true };

/** Parses an event at the producer's boundary, for one that is checked on its own (and skipped with a reason) before it is sent. */
export function safeParseEvent<S extends z.ZodType>(schema: S, value: unknown): { success: true; data: ParsedEvent<z.output<S>> } | { success: false; error: z.ZodError } {
  const parsed = schema.safeParse(value);
  return parsed.success ? { success: true, data: parsed.data as ParsedEvent<z.output<S>> } : { success: false, error: parsed.error };
}

/** The message of an event already parsed by `safeParseEvent`: the hot paths encode what they checked once. */
export function encodeParsedEvent<T>(event: ParsedEvent<T>, topic: string, key: string | null): OutgoingMessage {
  return { topic, key, value: JSON.stringify(event) };
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
 * Gathers single sends into batches, one batch in flight at a time. Each send resolves once its
 * batch is acknowledged, so a caller never believes a message durable before it is; everything not
 * yet acknowledged counts against maxQueued.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private sendingCount = 0;
  private closed = false;

  constructor(
    private readonly producer: ProducerPort,
    private readonly options: BatchingProducerOptions = { maxBatch: 500, lingerMs: 5, maxQueued: 10_000 },
  ) {}

  /** Messages accepted and not yet acknowledged. */
  get queued(): number {
    return this.queue.length + this.sendingCount;
  }

  send(message: OutgoingMessage): Promise<void> {
    if (this.closed) return Promise.reject(new PenumbraError('producer is closed', { code: 'PRODUCER_CLOSED', retriable: false }));
    if (this.queued >= this.options.maxQueued) return Promise.reject(new ProducerOverloadedError(this.queued));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.drain();
      else this.timer ??= setTimeout(() => this.drain(), this.options.lingerMs);
    });
  }

  /** Sends everything queued and waits for it. */
  async flush(): Promise<void> {
    while (this.sending || this.queue.length > 0) {
      this.drain();
      await this.sending;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private drain(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.sendingCount = batch.length;
    this.sending = this.producer
      .send(batch.map((p) => p.message))
      .then(
        () => batch.forEach((p) => p.resolve()),
        (err: unknown) => batch.forEach((p) => p.reject(err)),
      )
      .finally(() => {
        this.sending = undefined;
        this.sendingCount = 0;
        if (this.queue.length >= this.options.maxBatch) this.drain();
        else if (this.queue.length > 0) this.timer ??= setTimeout(() => this.drain(), this.options.lingerMs);
      });
  }
}
