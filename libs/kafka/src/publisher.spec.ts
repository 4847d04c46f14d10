import { metricObservationSchema } from '@penumbra/contracts';
import { isRetriable } from '@penumbra/errors';
import { type OutgoingMessage, type ProducerPort } from './ports';
import { BatchingProducer, encodeEvent, encodeParsedEvent, safeParseEvent } from './publisher';

class RecordingProducer implements ProducerPort {
  batches: OutgoingMessage[][] = [];
  fail: Error | undefined;
  async send(messages: OutgoingMessage[]): Promise<void> {
    await new Promise((r) => setTimeout(r, 1));
    if (this.fail) throw this.fail;
    this.batches.push(messages);
  }
  async disconnect(): Promise<void> {}
}

const msg = (i: number): OutgoingMessage => ({ topic: 't', key: String(i), value: String(i) });

describe('BatchingProducer', () => {
  it('gathers sends into batches bounded by maxBatch and resolves each once its batch is sent', async () => {
    const inner = new RecordingProducer();
    const producer = new BatchingProducer(inner, { maxBatch: 4, lingerMs: 5, maxQueued: 100 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send(msg(i))));
    expect(inner.batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(inner.batches.flat().map((m) => m.key)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('rejects every send of a failed batch with the error', async () => {
    const inner = new RecordingProducer();
    inner.fail = new Error('broker away');
    const producer = new BatchingProducer(inner, { maxBatch: 10, lingerMs: 1, maxQueued: 100 });
    const results = await Promise.allSettled([producer.send(msg(1)), producer.send(msg(2))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('refuses past its bound with a retriable overload error instead of queueing without end', async () => {
    const producer = new BatchingProducer(new RecordingProducer(), { maxBatch: 100, lingerMs: 50, maxQueued: 2 });
    const first = [producer.send(msg(1)), producer.send(msg(2))];
    const third = producer.send(msg(3));
    await expect(third).rejects.toMatchObject({ code: 'PRODUCER_OVERLOADED' });
    await third.catch((err: unknown) => expect(isRetriable(err)).toBe(true));
    await producer.flush();
    await Promise.all(first);
  });

  it('flushes what waits on close and refuses sends afterwards', async () => {
    const inner = new RecordingProducer();
    const producer = new BatchingProducer(inner, { maxBatch: 100, lingerMs: 10_000, maxQueued: 100 });
    const pending = producer.send(msg(1));
    await producer.close();
    await pending;
    expect(inner.batches).toHaveLength(1);
    await expect(producer.send(msg(2))).rejects.toMatchObject({ code: 'PRODUCER_CLOSED' });
  });
});

describe('encodeEvent', () => {
  it('refuses to produce an event that fails its schema, naming the field', () => {
    expect(() => encodeEvent(metricObservationSchema, { type: 'metric.v1', id: 'x', ts: 1, experimentId: 'e', name: 'p', value: Number.NaN }, 'topic', 'e')).toThrow(
      /refusing to produce an invalid event to topic: value: /,
    );
  });

  it('serializes the parsed event, defaults filled', () => {
    const m = encodeEvent(metricObservationSchema, { type: 'metric.v1', id: 'x', ts: 1, experimentId: 'e', name: 'p', value: 1 }, 'topic', 'e', 2);
    expect(JSON.parse(String(m.value))).toMatchObject({ side: 'candidate', slice: {} });
    expect(m.partition).toBe(2);
  });
});

describe('safeParseEvent and encodeParsedEvent', () => {
  it('parses once at the boundary and encodes what it parsed, defaults filled', () => {
    const parsed = safeParseEvent(metricObservationSchema, { type: 'metric.v1', id: 'x', ts: 1, experimentId: 'e', name: 'p', value: 1 });
    if (!parsed.success) throw parsed.error;
    const m = encodeParsedEvent(parsed.data, 'topic', 'e');
    expect(m).toMatchObject({ topic: 'topic', key: 'e' });
    expect(JSON.parse(String(m.value))).toMatchObject({ side: 'candidate', slice: {}, value: 1 });
  });

  it('says what fails, and gives nothing to encode', () => {
    const parsed = safeParseEvent(metricObservationSchema, { type: 'metric.v1', id: 'x', ts: 1, experimentId: 'e', name: 'p', value: Number.NaN });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(parsed.error.issues[0]?.path).toEqual(['value']);
  });
});
