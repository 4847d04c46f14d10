import { type AuditRecord, auditRecordSchema } from '@penumbra/contracts';
import { type BatchControl, type OutgoingMessage, type TransactionalProducerPort } from '@penumbra/kafka';
import { PipelineMetrics, createMetricsRegistry, silentLogger } from '@penumbra/observability';
import { AuditIndex } from './audit-index';
import { AuditWriter } from './audit-writer';

class FakeTransactions implements TransactionalProducerPort {
  sent: OutgoingMessage[] = [];
  offsets: string[] = [];
  private open = false;
  async begin(): Promise<void> {
    this.open = true;
  }
  async send(messages: OutgoingMessage[]): Promise<void> {
    this.sent.push(...messages);
  }
  async sendOffsets(_group: string, offsets: Array<{ offset: string }>): Promise<void> {
    this.offsets.push(...offsets.map((o) => o.offset));
  }
  async commit(): Promise<void> {
    this.open = false;
  }
  async abort(): Promise<void> {
    this.open = false;
  }
  inTransaction(): boolean {
    return this.open;
  }
  async disconnect(): Promise<void> {}
}

const control: BatchControl = { heartbeat: async () => undefined, isRunning: () => true, isStale: () => false, resolveOffset: () => undefined, commit: async () => undefined };

function writer(producer: FakeTransactions) {
  return new AuditWriter({
    auditTopic: 'audit',
    auditPartitions: 3,
    groupId: 'g',
    kinds: new Map([['alerts', 'alerts' as const]]),
    index: new AuditIndex(1000),
    describe: { redactFor: () => [], redactOpaqueBytes: true },
    producer: () => producer,
    recover: async () => undefined,
    logger: silentLogger,
    metrics: new PipelineMetrics(createMetricsRegistry('t', { defaultMetrics: false })),
    maxRecordsPerTransaction: 500,
    maxEventBytes: 768 * 1024,
    maxRequestBytes: 256 * 1024,
  });
}

const alert = (id: string, detailsJson: string) =>
  `{"type":"alert.v1","id":"${id}","ts":1700000000000,"experimentId":"exp-a","severity":"warning","kind":"other","source":"s","message":"m","details":${detailsJson}}`;

describe('AuditWriter', () => {
  it('audits a 20 KB alert nested 10,000 deep as invalid and goes on with the next record', async () => {
    const producer = new FakeTransactions();
    const deep = alert('a1', `{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    const records = [deep, alert('a2', '{"fine":true}')].map((value, i) => ({
      topic: 'alerts',
      partition: 0,
      offset: String(i),
      timestamp: '1700000000000',
      key: Buffer.from('exp-a'),
      value: Buffer.from(value),
      headers: {},
    }));
    await writer(producer).onBatch({ topic: 'alerts', partition: 0, highWatermark: '2', records }, control);
    const audited = producer.sent.map((m) => auditRecordSchema.parse(JSON.parse(String(m.value)))) as AuditRecord[];
    expect(audited.map((r) => [r.eventType, r.seq])).toEqual([
      ['invalid', 1],
      ['alert.v1', 2],
    ]);
    expect(audited[0]?.event).toMatchObject({ errorClass: 'bounds', reason: 'value is nested deeper than 256 levels' });
    expect(producer.offsets).toEqual(['2']);
  });
});
