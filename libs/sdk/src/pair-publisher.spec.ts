import { type OutgoingMessage, type ProducerPort } from '@penumbra/kafka';
import { waitFor } from '@penumbra/testing';
import { jsonPairFor } from './fixtures.spec-helpers';
import { PairPublisher } from './pair-publisher';

describe('PairPublisher', () => {
  it('never blocks the caller: a full buffer drops pairs and counts them, a broker failure is counted', async () => {
    const batches: OutgoingMessage[][] = [];
    let release: () => void = () => undefined;
    let fail = false;
    const producer: ProducerPort = {
      send: (messages) => {
        batches.push(messages);
        if (fail) return Promise.reject(new Error('broker away'));
        return new Promise<void>((r) => (release = r));
      },
      disconnect: () => Promise.resolve(),
    };
    const publisher = new PairPublisher({ producer, topic: 'shadow.pairs', maxQueued: 10, maxBatch: 5, lingerMs: 1 });
    // The first send never resolves until released: every offer still returns, so none waited for the broker.
    for (let i = 0; i < 25; i += 1) expect(publisher.offer(jsonPairFor(i))).toBeUndefined();
    expect(publisher.counters()).toMatchObject({ offered: 25 });
    await waitFor(() => batches.length === 1, { what: 'the first batch to be sent' });
    expect(publisher.counters()).toMatchObject({ offered: 25, dropped: 15 });
    expect(publisher.queued).toBe(10);
    release();
    await waitFor(() => batches.length === 2, { what: 'the second batch to be sent' });
    release();
    await waitFor(() => publisher.counters().published === 10, { what: 'ten pairs published' });
    expect(publisher.counters()).toMatchObject({ published: 10, dropped: 15, failed: 0 });
    expect(batches.flat().map((m) => m.key)).toEqual(Array.from({ length: 10 }, (_, i) => `limits:t${i}`));

    fail = true;
    publisher.offer(jsonPairFor(99));
    await publisher.close();
    expect(publisher.counters()).toMatchObject({ offered: 26, failed: 1 });
  });

  it('counts an invalid pair instead of throwing', () => {
    const publisher = new PairPublisher({ producer: { send: () => Promise.resolve(), disconnect: () => Promise.resolve() }, topic: 'shadow.pairs' });
    expect(() => publisher.offer({ ...jsonPairFor(1), id: 'wrong:id' })).not.toThrow();
    expect(publisher.counters().invalid).toBe(1);
  });
});
