import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { type DeadLetter, type MetricObservation, deadLetterSchema, metricObservationSchema } from '@penumbra/contracts';
import { createMetricsRegistry, PipelineMetrics, silentLogger } from '@penumbra/observability';
import { BatchConsumer, type ConsumedRecord, encodeEvent } from '@penumbra/kafka';
import { waitFor } from '@penumbra/testing';
import { spawnTs } from './child-process';
import { type TestKafka, createTestKafka } from './test-kafka';

jest.setTimeout(120_000);

const observation = (i: number): MetricObservation =>
  metricObservationSchema.parse({ type: 'metric.v1', id: `m-${i}`, ts: 1_700_000_000_000 + i, experimentId: 'exp-1', name: 'precision', value: i / 100 });

describe('BatchConsumer on the real broker', () => {
  let kafka: TestKafka;

  beforeAll(async () => {
    kafka = await createTestKafka('batch-consumer');
    await kafka.provision();
  });

  afterAll(async () => {
    await kafka.close();
  });

  it('hands valid records to the handler once each and dead-letters bad ones with a reason, then keeps going', async () => {
    const topic = kafka.topics.metrics;
    const good = (i: number) => encodeEvent(metricObservationSchema, observation(i), topic, 'exp-1');
    const raw = (value: string | Buffer) => ({ topic, key: 'exp-1', value });
    await kafka.send([
      good(1),
      raw('{"type":"metric.v1",'),
      good(2),
      raw(JSON.stringify({ ...observation(3), value: 'high' })),
      raw(JSON.stringify({ ...observation(4), name: undefined })),
      raw(Buffer.from([0x7b, 0xc3, 0x28, 0x7d])),
      good(5),
    ]);

    const handled: ConsumedRecord<MetricObservation>[] = [];
    const metrics = new PipelineMetrics(createMetricsRegistry('test', { defaultMetrics: false }));
    const consumer = new BatchConsumer({
      client: kafka.client,
      groupId: kafka.ns.groupId('valid-and-invalid'),
      topics: [{ topic, schema: metricObservationSchema }],
      deadLetterTopic: kafka.topics.dlq,
      deadLetters: kafka.producer,
      logger: silentLogger,
      metrics,
      handler: async (records) => {
        handled.push(...records);
      },
    });
    await consumer.start();
    try {
      await waitFor(() => handled.length >= 3, { what: 'three valid records' });
      const letters = (await kafka.readAll(kafka.topics.dlq, 4)).map((r) => deadLetterSchema.parse(JSON.parse(r.value!.toString())));
      expect(handled.map((r) => r.value.id)).toEqual(['m-1', 'm-2', 'm-5']);

      const byOffset = new Map<string, DeadLetter>(letters.map((l) => [l.source.offset, l]));
      expect([...byOffset.keys()].sort()).toEqual(['1', '3', '4', '5']);
      expect(byOffset.get('1')).toMatchObject({ errorClass: 'json', reason: expect.stringMatching(/not JSON/) });
      expect(byOffset.get('3')).toMatchObject({ errorClass: 'schema', reason: expect.stringMatching(/value: .*expected number/) });
      expect(byOffset.get('4')).toMatchObject({ errorClass: 'schema', reason: expect.stringMatching(/name: .*expected string/) });
      expect(byOffset.get('5')).toMatchObject({ errorClass: 'encoding', reason: expect.stringMatching(/not valid UTF-8/) });
      for (const l of letters) {
        expect(l.source.topic).toBe(topic);
        expect(l.id).toBe(`${topic}:0:${l.source.offset}`);
        expect(l.consumerGroup).toBe(kafka.ns.groupId('valid-and-invalid'));
      }
      // Bytes that are not JSON could hide a credential no pattern finds: the letter keeps only their size and digest.
      expect(byOffset.get('5')).toMatchObject({
        value: null,
        redaction: 'withheld',
        size: 4,
        sha256: createHash('sha256')
          .update(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]))
          .digest('hex'),
      });

      await waitFor(async () => (await kafka.admin.groupOffsets(kafka.ns.groupId('valid-and-invalid'), topic))[0]?.offset === '7', { what: 'offset 7 committed' });
      const text = await (await import('prom-client')).register.metrics();
      expect(text).not.toMatch(/penumbra_records_consumed_total/);
      expect((await metrics.consumed.get()).values[0]?.value).toBe(7);
    } finally {
      await consumer.stop();
    }
  });

  it('isolates the record a handler cannot process and dead-letters only that one', async () => {
    const group = kafka.ns.groupId('isolate');
    const consumerTopic = await kafka.createTopic('isolate');
    await kafka.send([1, 2, 3].map((i) => encodeEvent(metricObservationSchema, observation(i), consumerTopic, 'exp-1')));
    const handled: string[] = [];
    const consumer = new BatchConsumer({
      client: kafka.client,
      groupId: group,
      topics: [{ topic: consumerTopic, schema: metricObservationSchema }],
      deadLetterTopic: kafka.topics.dlq,
      deadLetters: kafka.producer,
      logger: silentLogger,
      handler: async (records) => {
        if (records.some((r) => r.value.id === 'm-2')) throw new Error('cannot price m-2');
        handled.push(...records.map((r) => r.value.id));
      },
    });
    await consumer.start();
    try {
      await waitFor(() => handled.includes('m-3'), { what: 'm-3 handled' });
      const letters = await kafka.readAll(kafka.topics.dlq, 5);
      const mine = letters.map((r) => deadLetterSchema.parse(JSON.parse(r.value!.toString()))).filter((l) => l.source.topic === consumerTopic);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ errorClass: 'handler', reason: 'handler failed: Error: cannot price m-2', source: { offset: '1' } });
      expect(handled.sort()).toEqual(['m-1', 'm-3']);
    } finally {
      await consumer.stop();
    }
  });

  it('keeps consuming past a 900 KB invalid record: its dead letter is a bounded prefix with size and digest', async () => {
    const group = kafka.ns.groupId('oversized');
    const consumerTopic = await kafka.createTopic('oversized');
    const huge = Buffer.from(JSON.stringify({ ...observation(1), id: 'x'.repeat(900_000) }));
    await kafka.send([{ topic: consumerTopic, key: 'exp-1', value: huge }, encodeEvent(metricObservationSchema, observation(2), consumerTopic, 'exp-1')]);
    const handled: string[] = [];
    const consumer = new BatchConsumer({
      client: kafka.client,
      groupId: group,
      topics: [{ topic: consumerTopic, schema: metricObservationSchema }],
      deadLetterTopic: kafka.topics.dlq,
      deadLetters: kafka.producer,
      logger: silentLogger,
      handler: async (records) => void handled.push(...records.map((r) => r.value.id)),
    });
    await consumer.start();
    try {
      await waitFor(() => handled.includes('m-2'), { what: 'the valid record after the huge one' });
      await waitFor(async () => (await kafka.admin.groupOffsets(group, consumerTopic))[0]?.offset === '2', { what: 'offset 2 committed' });
      const all = await kafka.readAll(kafka.topics.dlq, 1);
      const raw = all.find((r) => deadLetterSchema.parse(JSON.parse(r.value!.toString())).source.topic === consumerTopic);
      const letter = deadLetterSchema.parse(JSON.parse(raw!.value!.toString()));
      expect(letter).toMatchObject({ errorClass: 'schema', size: huge.length, truncated: true, minimal: false, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(raw!.value!.length).toBeLessThan(128 * 1024);
      expect(consumer.liveness().ok).toBe(true);
    } finally {
      await consumer.stop();
    }
  });

  it('redelivers a batch whose consumer was killed after its handler ran and before the commit', async () => {
    const topic = await kafka.createTopic('crash');
    const group = kafka.ns.groupId('crash');
    const ids = Array.from({ length: 20 }, (_, i) => i);
    await kafka.send(ids.map((i) => encodeEvent(metricObservationSchema, observation(i), topic, 'exp-1')));

    const runChild = (mode: 'crash' | 'normal', until: (handled: string[]) => boolean) =>
      new Promise<{ handled: string[]; signal: NodeJS.Signals | null }>((resolve, reject) => {
        const child = spawnTs(join(__dirname, 'crash-consumer.fixture.ts'), { BROKERS: kafka.brokers.join(','), TOPIC: topic, DLQ: kafka.topics.dlq, GROUP: group, MODE: mode });
        const handled: string[] = [];
        let buffer = '';
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stdout?.on('data', (d: Buffer) => {
          buffer += d.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop() ?? '';
          for (const line of lines) {
            const msg = JSON.parse(line) as { handled?: string[] };
            handled.push(...(msg.handled ?? []));
            if (until(handled)) child.kill('SIGTERM');
          }
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
        child.on('exit', (code, signal) => {
          clearTimeout(timer);
          if (code !== null && code !== 0) reject(new Error(`consumer exited with ${code}: ${stderr}`));
          else resolve({ handled, signal });
        });
      });

    const crashed = await runChild('crash', () => false);
    expect(crashed.signal).toBe('SIGKILL');
    expect(crashed.handled.length).toBeGreaterThan(0);
    expect(await kafka.admin.groupOffsets(group, topic)).toEqual([{ partition: 0, offset: '-1' }]);

    const all = ids.map((i) => `m-${i}`);
    const resumed = await runChild('normal', (handled) => all.every((id) => handled.includes(id)));
    expect(resumed.handled).toEqual(expect.arrayContaining(crashed.handled));
    expect(new Set(resumed.handled)).toEqual(new Set(all));
    await waitFor(async () => (await kafka.admin.groupOffsets(group, topic))[0]?.offset === '20', { what: 'offset 20 committed after the graceful stop' });
  });
});
