import { z } from 'zod';
import { silentLogger } from '@penumbra/observability';
import { type AdminPort, type BatchControl, type ConsumerPort, type FetchedBatch, type KafkaClient } from './ports';
import { TopicTable } from './topic-table';

type OnBatch = (batch: FetchedBatch, control: BatchControl) => Promise<void>;

class FakeConsumer implements ConsumerPort {
  onBatch: OnBatch | undefined;
  async subscribe(): Promise<void> {}
  async run(onBatch: OnBatch): Promise<void> {
    this.onBatch = onBatch;
  }
  async disconnect(): Promise<void> {}
  async commitIdle(): Promise<void> {}
  onCrash(): void {}
  onGroupJoin(): void {}
  onPosition(): void {}
  deliver(firstOffset: number, values: string[]): Promise<void> {
    const records = values.map((v, i) => ({
      topic: 't',
      partition: 0,
      offset: String(firstOffset + i),
      timestamp: '0',
      key: Buffer.from('e'),
      value: Buffer.from(v),
      headers: {},
    }));
    const control: BatchControl = { heartbeat: async () => undefined, isRunning: () => true, isStale: () => false, resolveOffset: () => undefined, commit: async () => undefined };
    return this.onBatch!({ topic: 't', partition: 0, highWatermark: String(firstOffset + values.length), records }, control);
  }
}

const unused = () => Promise.reject(new Error('unused'));
const admin: AdminPort = {
  brokerCount: unused,
  listTopics: unused,
  createTopics: unused,
  describeTopics: unused,
  setTopicConfigs: unused,
  deleteTopics: unused,
  topicOffsets: async () => [{ partition: 0, low: '0', high: '2' }],
  groupOffsets: unused,
  resetGroupToEarliest: unused,
  offsetsAtTime: unused,
  setGroupOffsets: unused,
  disconnect: async () => undefined,
};

describe('TopicTable', () => {
  it('does not apply records again when its consumer starts over from the beginning after a rebalance', async () => {
    const consumer = new FakeConsumer();
    const client: KafkaClient = { clientId: 'c', admin: async () => admin, producer: unused, consumer: () => consumer };
    const changes: string[] = [];
    const table = new TopicTable<{ v: number }>({
      client,
      topic: 't',
      schema: z.object({ v: z.number() }),
      groupPrefix: 'g',
      logger: silentLogger,
      onChange: (_k, value) => changes.push(String(value?.v)),
    });
    const started = table.start(5_000);
    await new Promise((r) => setImmediate(r));
    await consumer.deliver(0, ['{"v":1}', '{"v":2}']);
    await started;
    expect(table.get('e')).toEqual({ v: 2 });

    // The group lost this member (a long pause on a loaded machine) and the consumer reads from offset 0 again.
    await consumer.deliver(0, ['{"v":1}', '{"v":2}', '{"v":3}']);
    expect(changes).toEqual(['1', '2', '3']);
    expect(table.get('e')).toEqual({ v: 3 });
  });
});
