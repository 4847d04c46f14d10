import { verifyAuditTrail } from '@penumbra/audit';
import { type AuditRecord, auditCheckpointSchema, auditRecordSchema, generateSigningKeyFiles, signingKeyFromJson, trustedKeysFromJson } from '@penumbra/contracts';
import { type BatchControl, type OutgoingMessage, type TransactionalProducerPort } from '@penumbra/kafka';
import { PipelineMetrics, createMetricsRegistry, silentLogger } from '@penumbra/observability';
import { AuditIndex } from './audit-index';
import { AuditWriter, type AuditWriterOptions } from './audit-writer';

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

const keyFiles = generateSigningKeyFiles('audit-unit');

function writer(producer: FakeTransactions, checkpointEveryRecords = 1000, index = new AuditIndex(1000), loadHeads: AuditWriterOptions['loadHeads'] = async () => new Map()) {
  return new AuditWriter({
    auditTopic: 'audit',
    auditPartitions: 3,
    groupId: 'g',
    kinds: new Map([['alerts', 'alerts' as const]]),
    index,
    describe: { redactFor: () => [], redactOpaqueBytes: true },
    producer: () => producer,
    recover: async () => undefined,
    logger: silentLogger,
    metrics: new PipelineMetrics(createMetricsRegistry('t', { defaultMetrics: false })),
    maxRecordsPerTransaction: 500,
    maxEventBytes: 768 * 1024,
    maxRequestBytes: 256 * 1024,
    signingKey: signingKeyFromJson(keyFiles.signingKey),
    checkpointEveryRecords,
    maxUncheckpointed: 10_000,
    loadHeads,
    clock: () => 1_700_000_000_500,
  });
}

const batchOf = (values: string[], first = 0) => ({
  topic: 'alerts',
  partition: 0,
  highWatermark: String(first + values.length),
  records: values.map((value, i) => ({
    topic: 'alerts',
    partition: 0,
    offset: String(first + i),
    timestamp: '1700000000000',
    key: Buffer.from('exp-a'),
    value: Buffer.from(value),
    headers: {},
  })),
});

const alert = (id: string, detailsJson: string, experimentId = 'exp-a') =>
  `{"type":"alert.v1","id":"${id}","ts":1700000000000,"experimentId":"${experimentId}","severity":"warning","kind":"other","source":"s","message":"m","details":${detailsJson}}`;

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

  it('signs a checkpoint in the transaction that takes a chain N records past its last one, after the records, and flushes the rest on demand', async () => {
    const producer = new FakeTransactions();
    const w = writer(producer, 3);
    await w.onBatch(batchOf([1, 2, 3, 4].map((i) => alert(`a${i}`, '{}'))), control);
    const values = producer.sent.map((m) => JSON.parse(String(m.value)) as { type: string; seq: number });
    expect(values.map((v) => [v.type, v.seq])).toEqual([
      ['audit.v1', 1],
      ['audit.v1', 2],
      ['audit.v1', 3],
      ['audit.v1', 4],
      ['audit-checkpoint.v1', 4],
    ]);
    const checkpoint = auditCheckpointSchema.parse(values[4]);
    expect(producer.sent[4]?.key).toBe('audit-checkpoint:exp-a');
    expect(producer.sent[4]?.partition).toBe(producer.sent[0]?.partition);
    const raw = values.slice(0, 4);
    expect(verifyAuditTrail({ experimentId: 'exp-a', raw, checkpoints: [checkpoint], deleted: [] }, trustedKeysFromJson(keyFiles.trustedKeys))).toMatchObject({
      ok: true,
      checkpoint: { seq: 4, keyId: 'audit-unit' },
      notYetCheckpointed: 0,
    });

    await w.onBatch(batchOf([alert('a5', '{}')], 4), control);
    expect(producer.sent).toHaveLength(6);
    await Promise.all([w.flushCheckpoints(), w.flushCheckpoints()]);
    expect(producer.sent.slice(6).map((m) => JSON.parse(String(m.value)) as { type: string; seq: number })).toMatchObject([{ type: 'audit-checkpoint.v1', seq: 5 }]);
    await w.flushCheckpoints();
    expect(producer.sent).toHaveLength(7);
    expect(producer.offsets).toEqual(['4', '5']);
  });

  it('reads back the head of a chain the index let go before extending it, never restarting it at seq 1', async () => {
    const producer = new FakeTransactions();
    const index = new AuditIndex(1000, 1);
    const asked: string[][] = [];
    const w = writer(producer, 1000, index, async (ids) => {
      asked.push(ids);
      const first = auditRecordSchema.parse(JSON.parse(String(producer.sent[0]?.value)));
      return new Map([['exp-a', { head: { seq: first.seq, hash: first.hash }, checkpointed: 0 }]]);
    });
    await w.onBatch(batchOf([alert('a1', '{}'), alert('b1', '{}', 'exp-b')]), control);
    expect(index.head('exp-a')).toBeUndefined();
    await w.onBatch(batchOf([alert('a2', '{}')], 2), control);
    const last = auditRecordSchema.parse(JSON.parse(String(producer.sent[2]?.value)));
    expect(asked).toEqual([['exp-a']]);
    expect(last).toMatchObject({ experimentId: 'exp-a', seq: 2, prevHash: auditRecordSchema.parse(JSON.parse(String(producer.sent[0]?.value))).hash });
  });
});
