import { z } from 'zod';
import { UnavailableError } from '@penumbra/errors';
import { silentLogger } from '@penumbra/observability';
import { BatchConsumer, type BatchHandler } from './batch-consumer';
import { type BatchControl, type ConsumerPort, type FetchedBatch, type KafkaClient, type OutgoingMessage, type ProducerPort } from './ports';

const schema = z.object({ n: z.number() });
type Value = z.infer<typeof schema>;

/** Feeds batches by hand and records commits: the pipeline logic without a broker. */
class FakeConsumer implements ConsumerPort {
  onBatch: ((batch: FetchedBatch, control: BatchControl) => Promise<void>) | undefined;
  commits: string[] = [];
  stale = false;
  async subscribe(): Promise<void> {}
  async run(onBatch: (batch: FetchedBatch, control: BatchControl) => Promise<void>): Promise<void> {
    this.onBatch = onBatch;
  }
  async disconnect(): Promise<void> {}
  onCrash(): void {}
  onGroupJoin(): void {}
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
        heartbeat: async () => undefined,
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
  async send(messages: OutgoingMessage[]): Promise<void> {
    this.sent.push(...messages);
  }
  async disconnect(): Promise<void> {}
}

async function setup(handler: BatchHandler<Value>, maxRecordsPerCall = 500) {
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

  it('drops a stale batch without committing it', async () => {
    const handler = jest.fn(async () => undefined);
    const { consumer } = await setup(handler);
    consumer.stale = true;
    await consumer.deliver([v(1)]);
    expect(handler).not.toHaveBeenCalled();
    expect(consumer.commits).toEqual([]);
  });
});
