import { z } from 'zod';
import { PenumbraError, UnavailableError } from '@penumbra/errors';
import { silentLogger } from '@penumbra/observability';
import { BatchConsumer, type BatchConsumerOptions, type BatchHandler } from './batch-consumer';
import { type BatchControl, type ConsumerPort, type FetchedBatch, type KafkaClient, type OutgoingMessage, type ProducerPort } from './ports';

const schema = z.object({ n: z.number() });
type Value = z.infer<typeof schema>;

/** Feeds batches by hand and records commits: the pipeline logic without a broker. */
class FakeConsumer implements ConsumerPort {
  onBatch: ((batch: FetchedBatch, control: BatchControl) => Promise<void>) | undefined;
  commits: string[] = [];
  heartbeats = 0;
  stale = false;
  async subscribe(): Promise<void> {}
  async run(onBatch: (batch: FetchedBatch, control: BatchControl) => Promise<void>): Promise<void> {
    this.onBatch = onBatch;
  }
  async disconnect(): Promise<void> {}
  idleCommits: string[] = [];
  async commitIdle(topic: string, partition: number, next: string): Promise<void> {
    this.idleCommits.push(`${topic}:${partition}:${next}`);
  }
  crashListeners: Array<(error: Error, willRestart: boolean) => void> = [];
  onCrash(listener: (error: Error, willRestart: boolean) => void): void {
    this.crashListeners.push(listener);
  }
  crash(error: Error, willRestart: boolean): void {
    for (const l of this.crashListeners) l(error, willRestart);
  }
  onGroupJoin(): void {}
  onPosition(): void {}
  deliver(values: Array<string | null>, firstOffset = 0): Promise<void> {
    const records = values.map((v, i) => ({
      topic: 'in',
      partition: 0,
      offset: String(firstOffset + i),
      timestamp: '0',
      key: null,
      value: v === null ? null : Buffer.from(v),
      headers: {},
    }));
    return this.onBatch!(
      { topic: 'in', partition: 0, highWatermark: String(firstOffset + values.length), records },
      {
        heartbeat: async () => void (this.heartbeats += 1),
        isRunning: () => true,
        isStale: () => this.stale,
        resolveOffset: () => undefined,
        commit: async (next) => void this.commits.push(next),
      },
    );
  }
}

class FakeProducer implements ProducerPort {
  sent: OutgoingMessage[] = [];
  /** Like a broker's message.max.bytes: a batch holding a bigger message is refused, not retriably. */
  maxMessageBytes = Infinity;
  async send(messages: OutgoingMessage[]): Promise<void> {
    if (messages.some((m) => Buffer.byteLength(String(m.value)) > this.maxMessageBytes))
      throw new PenumbraError('kafka produce failed: message too large', { code: 'KAFKA_REQUEST_REJECTED', retriable: false });
    this.sent.push(...messages);
  }
  async disconnect(): Promise<void> {}
}

async function setup(handler: BatchHandler<Value>, maxRecordsPerCall = 500, onFatal?: (reason: string) => void, extra: Partial<BatchConsumerOptions<Value>> = {}) {
  const consumer = new FakeConsumer();
  const dlq = new FakeProducer();
  const client: KafkaClient = { clientId: 'c', admin: () => Promise.reject(new Error('unused')), producer: async () => dlq, consumer: () => consumer };
  const runner = new BatchConsumer({
    client,
    groupId: 'g',
    topics: [{ topic: 'in', schema }],
    handler,
    deadLetterTopic: 'dlq',
    deadLetters: dlq,
    logger: silentLogger,
    maxRecordsPerCall,
    retry: { attempts: 3, initialDelayMs: 1, maxDelayMs: 1 },
    clock: () => 42,
    alertTopic: 'alerts',
    ...(onFatal ? { onFatal } : {}),
    ...extra,
  });
  await runner.start();
  return { consumer, dlq, runner };
}

const v = (n: number) => JSON.stringify({ n });

describe('BatchConsumer', () => {
  it('retries a retriable handler failure and commits once it succeeds', async () => {
    let calls = 0;
    const { consumer } = await setup(async () => {
      calls += 1;
      if (calls < 3) throw new UnavailableError('redis away');
    });
    await consumer.deliver([v(1), v(2)]);
    expect(calls).toBe(3);
    expect(consumer.commits).toEqual(['2']);
  });

  it('commits nothing when retriable failures outlast the bounded retries, so the batch comes again', async () => {
    const { consumer } = await setup(async () => {
      throw new UnavailableError('redis away');
    });
    await expect(consumer.deliver([v(1)])).rejects.toThrow('redis away');
    expect(consumer.commits).toEqual([]);
  });

  it('lets the handler heartbeat while it holds a batch', async () => {
    const { consumer } = await setup(async (_records, context) => {
      await context.heartbeat?.();
      await context.heartbeat?.();
    });
    await consumer.deliver([v(1)]);
    // Two from the handler, one from the consumer after the chunk.
    expect(consumer.heartbeats).toBe(3);
  });

  it('hands records in chunks and commits after each chunk', async () => {
    const seen: number[][] = [];
    const { consumer } = await setup(async (records) => void seen.push(records.map((r) => r.value.n)), 2);
    await consumer.deliver([v(1), v(2), v(3), v(4), v(5)], 10);
    expect(seen).toEqual([[1, 2], [3, 4], [5]]);
    expect(consumer.commits).toEqual(['12', '14', '15']);
  });

  it('dead-letters what the handler rejects by offset, and commits past it', async () => {
    const { consumer, dlq } = await setup(async (records) => ({ rejected: records.filter((r) => r.value.n < 0).map((r) => ({ offset: r.offset, reason: 'negative' })) }));
    await consumer.deliver([v(1), v(-1), v(2)]);
    expect(dlq.sent.map((m) => JSON.parse(String(m.value)))).toEqual([expect.objectContaining({ id: 'in:0:1', errorClass: 'handler', reason: 'negative', ts: 42 })]);
    expect(consumer.commits).toEqual(['3']);
  });

  it('commits a chunk made only of bad records, after dead-lettering them', async () => {
    const handler = jest.fn(async () => undefined);
    const { consumer, dlq } = await setup(handler);
    await consumer.deliver(['nope', null]);
    expect(handler).not.toHaveBeenCalled();
    expect(dlq.sent.map((m) => m.key)).toEqual(['in:0:0', 'in:0:1']);
    expect(consumer.commits).toEqual(['2']);
  });

  it('commits only below the offset a handler holds back, and moves on once it is released', async () => {
    let hold: string | undefined = '1';
    const { consumer } = await setup(async () => (hold === undefined ? {} : { commitBefore: hold }));
    await consumer.deliver([v(1), v(2)], 0);
    await consumer.deliver([v(3)], 2);
    hold = undefined;
    await consumer.deliver([v(4)], 3);
    expect(consumer.commits).toEqual(['1', '4']);
  });

  it('hands an idle partition to the handler with no records and commits what it releases', async () => {
    jest.useFakeTimers();
    try {
      let now = 0;
      let hold: string | undefined = '1';
      const calls: number[] = [];
      const { consumer, runner } = await setup(
        async (records) => {
          calls.push(records.length);
          return hold === undefined ? {} : { commitBefore: hold };
        },
        500,
        undefined,
        { idleTickMs: 1_000, clock: () => now },
      );
      await consumer.deliver([v(1), v(2)], 0);
      now = 1_000;
      await jest.advanceTimersByTimeAsync(1_000);
      expect(consumer.idleCommits).toEqual([]);
      hold = undefined;
      now = 2_000;
      await jest.advanceTimersByTimeAsync(1_000);
      expect(calls).toEqual([2, 0, 0]);
      expect(consumer.commits).toEqual(['1']);
      expect(consumer.idleCommits).toEqual(['in:0:2']);
      now = 3_000;
      await jest.advanceTimersByTimeAsync(1_000);
      expect(consumer.idleCommits).toEqual(['in:0:2']);
      await runner.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('drops a stale batch without committing it', async () => {
    const handler = jest.fn(async () => undefined);
    const { consumer } = await setup(handler);
    consumer.stale = true;
    await consumer.deliver([v(1)]);
    expect(handler).not.toHaveBeenCalled();
    expect(consumer.commits).toEqual([]);
  });
});

describe('BatchConsumer dead letters and liveness', () => {
  const letters = (dlq: FakeProducer) => dlq.sent.filter((m) => m.topic === 'dlq').map((m) => JSON.parse(String(m.value)));
  const alerts = (dlq: FakeProducer) => dlq.sent.filter((m) => m.topic === 'alerts').map((m) => JSON.parse(String(m.value)));

  it('dead-letters two 450 KB invalid records in one batch as bounded letters and commits', async () => {
    const { consumer, dlq } = await setup(async () => undefined);
    dlq.maxMessageBytes = 1024 * 1024;
    const big = JSON.stringify({ n: 'x'.repeat(450_000) });
    await consumer.deliver([big, big, v(1)]);
    expect(letters(dlq)).toEqual([expect.objectContaining({ size: big.length, truncated: true }), expect.objectContaining({ size: big.length, truncated: true })]);
    expect(alerts(dlq)).toEqual([]);
    expect(consumer.commits).toEqual(['3']);
  });

  it('falls back to a minimal letter when the broker refuses the full one, alerts, and commits', async () => {
    const { consumer, dlq } = await setup(async () => undefined);
    dlq.maxMessageBytes = 2_000;
    await consumer.deliver([JSON.stringify({ n: 'x'.repeat(10_000) }), 'nope']);
    expect(letters(dlq)).toEqual([
      expect.objectContaining({ id: 'in:0:0', minimal: true, value: null, size: 10_008 }),
      expect.objectContaining({ id: 'in:0:1', minimal: false, value: null, redaction: 'withheld' }),
    ]);
    expect(alerts(dlq)).toEqual([expect.objectContaining({ kind: 'dead-letter-fallback', severity: 'warning', details: expect.objectContaining({ offsets: ['0'], lost: 0 }) })]);
    expect(consumer.commits).toEqual(['2']);
  });

  it('commits even when no letter at all can be written, counting it lost and alerting', async () => {
    const { consumer, dlq } = await setup(async () => undefined);
    dlq.maxMessageBytes = 10;
    await consumer.deliver(['nope']);
    expect(letters(dlq)).toEqual([]);
    expect(consumer.commits).toEqual(['1']);
  });

  it('raises one dlq-spike alert when the dead letters of a topic cross the threshold', async () => {
    const { consumer, dlq } = await setup(async () => undefined, 500, undefined, { deadLetterSpike: { threshold: 3, windowMs: 60_000 } });
    await consumer.deliver(['a', 'b'], 0);
    expect(alerts(dlq)).toEqual([]);
    await consumer.deliver(['c', 'd'], 2);
    await consumer.deliver(['e'], 4);
    expect(alerts(dlq)).toEqual([expect.objectContaining({ kind: 'dlq-spike', source: 'g', details: expect.objectContaining({ topic: 'in', count: 4 }) })]);
    expect(letters(dlq)).toHaveLength(5);
  });

  it('makes the consumer not live once it crashed for good, and says so once', async () => {
    const fatal = jest.fn();
    const { consumer, runner } = await setup(async () => undefined, 500, fatal);
    consumer.crash(new Error('leader moved'), true);
    expect(runner.liveness().ok).toBe(true);
    consumer.crash(new Error('offset out of range'), false);
    consumer.crash(new Error('again'), false);
    expect(runner.liveness()).toEqual({ ok: false, detail: 'consumer stopped for good: offset out of range' });
    expect(runner.health().ok).toBe(false);
    expect(fatal).toHaveBeenCalledTimes(1);
  });
});
