import { type ExperimentSpec, experimentSpecSchema, type Pair } from '@penumbra/contracts';
import { type ConsumedRecord, type OutgoingMessage, type ProducerPort } from '@penumbra/kafka';
import { jsonPair } from '@penumbra/kafka-testing';
import { Registry } from 'prom-client';
import { comparatorHandler } from './comparator-handler';
import { ComparatorMetrics } from './comparator-metrics';
import { MemoryNoiseStore } from './noise-store';

const spec = (id: string): ExperimentSpec =>
  experimentSpecSchema.parse({ id, target: { service: 's' }, shadow: { candidate: { baseUrl: 'http://127.0.0.1:1' } }, policy: { stages: [{ name: 'x' }] } });

const consumed = (pair: Pair, offset: number): ConsumedRecord<Pair> => {
  const source = { topic: 'pairs', partition: 0, offset: String(offset), timestamp: '0', key: null, value: null, headers: {} };
  return { value: pair, key: pair.id, topic: 'pairs', partition: 0, offset: String(offset), timestamp: 0, headers: {}, source };
};

function setup(maxJsonDepth?: number) {
  const sent: OutgoingMessage[] = [];
  const producer: ProducerPort = { send: async (m) => void sent.push(...m), disconnect: async () => undefined };
  const metrics = new ComparatorMetrics(new Registry());
  const specs = new Map([
    ['live', spec('live')],
    ['stopped', spec('stopped')],
  ]);
  const handler = comparatorHandler({
    experiments: (id) => specs.get(id),
    halted: (id) => id === 'stopped',
    store: new MemoryNoiseStore(),
    producer,
    diffsTopic: 'diffs',
    keyPrefix: 'k:',
    maxBodyBytes: 1_000_000,
    ...(maxJsonDepth === undefined ? {} : { maxJsonDepth }),
    metrics,
  });
  const run = (pairs: Pair[]) =>
    handler(
      pairs.map((p, i) => consumed(p, i)),
      { topic: 'pairs', partition: 0, signal: new AbortController().signal },
    );
  return { sent, metrics, run };
}

describe('comparatorHandler', () => {
  it('bounds JSON depth by the configured maximum (COMPARATOR_MAX_JSON_DEPTH)', async () => {
    const nest = (leaf: number) => {
      let v: unknown = leaf;
      for (let i = 0; i < 10; i += 1) v = { d: v };
      return v;
    };
    const pair = jsonPair('live', 'a', { primary: nest(1), candidate: nest(2) });
    const roomy = setup(20);
    await roomy.run([pair]);
    const bounded = setup(5);
    await bounded.run([pair]);
    const outcome = (sent: OutgoingMessage[]) => JSON.parse(String(sent[0]?.value)).outcome;
    expect([outcome(roomy.sent), outcome(bounded.sent)]).toEqual(['mismatch', 'too_large']);
  });

  it('diffs pairs of live experiments only, counting the others under one bounded reason', async () => {
    const { sent, metrics, run } = setup();
    const body = { primary: { v: 1 }, candidate: { v: 1 } };
    const pairs = [jsonPair('live', 'a', body), jsonPair('stopped', 'b', body), ...Array.from({ length: 5 }, (_, i) => jsonPair(`made-up-${i}`, 'c', body))];
    await run(pairs);
    expect(sent.map((m) => m.key)).toEqual(['live:a']);
    const skipped = (await metrics.skipped.get()).values.map((v) => [v.labels.reason, v.value]);
    expect(skipped).toEqual([
      ['halted', 1],
      ['unknown', 5],
    ]);
    expect((await metrics.outcomes.get()).values.map((v) => v.labels.experiment)).toEqual(['live']);
  });
});
