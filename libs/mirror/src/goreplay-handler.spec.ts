import { type GoReplayMessage } from '@penumbra/contracts';
import { type ConsumedRecord, DeadLetterWriter, type OutgoingMessage, type ProducerPort } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { GoReplayJoiner } from '@penumbra/mirror-core';
import { Registry } from 'prom-client';
import { goReplayHandler } from './goreplay-handler';
import { MirrorMetrics } from './mirror-metrics';

const request = (id: string, offset: number, body = ''): ConsumedRecord<GoReplayMessage> => {
  const value: GoReplayMessage = { Req_URL: '/a', Req_Type: '1', Req_ID: id, Req_Ts: '1700000000000000000', Req_Method: 'GET', Req_Body: body, Req_Headers: {} };
  const bytes = Buffer.from(JSON.stringify(value));
  const source = { topic: 'gor', partition: 0, offset: String(offset), timestamp: '0', key: null, value: bytes, headers: {} };
  return { value, key: null, topic: 'gor', partition: 0, offset: String(offset), timestamp: 0, headers: {}, source };
};

function setup(joiner: GoReplayJoiner) {
  let now = 0;
  const sent: OutgoingMessage[] = [];
  const producer: ProducerPort = { send: async (m) => void sent.push(...m), disconnect: async () => undefined };
  const registry = new Registry();
  const metrics = new MirrorMetrics(registry);
  const letters = new DeadLetterWriter({ topic: 'dlq', producer, groupId: 'g', logger: silentLogger, retry: { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 } });
  const handler = goReplayHandler({ joiner, producer, trafficTopic: 't', letters, consumerGroup: 'g', metrics, alertTopic: 'alerts', clock: () => now });
  const context = { topic: 'gor', partition: 0, signal: new AbortController().signal };
  const on = (topic: string) => sent.filter((m) => m.topic === topic).map((m) => JSON.parse(String(m.value)));
  return { handler, context, on, metrics, setNow: (t: number) => (now = t) };
}

describe('goReplayHandler', () => {
  it('dead-letters an expired half when called with no records, and lets the commit move past it', async () => {
    const { handler, context, on, setNow } = setup(new GoReplayJoiner({ service: 's', windowMs: 1_000, maxPending: 10, attributeHeaders: {} }));
    expect(await handler([request('lone', 5)], context)).toEqual({ commitBefore: '5' });
    setNow(500);
    expect(await handler([], context)).toEqual({ commitBefore: '5' });
    setNow(1_001);
    expect(await handler([], context)).toEqual({});
    expect(on('dlq')).toEqual([expect.objectContaining({ id: 'gor:0:5', reason: 'no response for Req_ID lone within 1000 ms' })]);
  });

  it('dead-letters every evicted half, counts them, and raises one alert for a flood', async () => {
    const joiner = new GoReplayJoiner({ service: 's', windowMs: 60_000, maxPending: 1_000, maxPendingBytes: 50_000, attributeHeaders: {} });
    const { handler, context, on, metrics } = setup(joiner);
    const body = 'b'.repeat(10_000);
    for (let i = 0; i < 20; i += 1) await handler([request(`r${i}`, i, body)], context);
    const evicted = on('dlq');
    expect(evicted.length).toBeGreaterThanOrEqual(16);
    expect(evicted.every((l) => /^join buffer full/.test(l.reason))).toBe(true);
    expect(joiner.pendingBytes).toBeLessThanOrEqual(50_000);
    expect((await metrics.goreplay.get()).values.find((v) => v.labels.outcome === 'evicted')?.value).toBe(evicted.length);
    expect(on('alerts')).toEqual([expect.objectContaining({ kind: 'evictions', details: expect.objectContaining({ evicted: 1 }) })]);
  });
});
