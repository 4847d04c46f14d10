import { type Pair } from '@penumbra/contracts';
import { Experiment, type ExperimentOptions } from './experiment';

function setup(over: Partial<ExperimentOptions> = {}) {
  const pairs: Pair[] = [];
  let n = 0;
  const experiment = new Experiment({ experimentId: 'limits', sink: { offer: (p) => pairs.push(p) }, newId: () => `t${(n += 1)}`, ...over });
  return { experiment, pairs };
}

const body = (p: Pair | undefined, side: 'primary' | 'candidate') => {
  const s = side === 'primary' ? p?.primary : p?.candidate.ok ? p.candidate.response : undefined;
  return s?.body ? JSON.parse(s.body.data) : undefined;
};

describe('Experiment.run', () => {
  it('returns the control result and publishes a pair with both sides as JSON responses', async () => {
    const { experiment, pairs } = setup({ endpoint: 'rate-limit.decide' });
    await expect(experiment.run({ control: () => ({ allow: true }), candidate: async () => ({ allow: false }), slice: { tenant: 'acme' } })).resolves.toEqual({ allow: true });
    await experiment.settle();
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({
      id: 'limits:t1',
      trafficId: 't1',
      source: 'sdk',
      endpoint: 'rate-limit.decide',
      slice: { tenant: 'acme' },
      request: { method: 'GET', path: '/rate-limit.decide' },
    });
    expect(body(pairs[0], 'primary')).toEqual({ allow: true });
    expect(body(pairs[0], 'candidate')).toEqual({ allow: false });
    expect(pairs[0]?.primary.status).toBe(200);
  });

  it('never propagates the candidate error, and records it as a 500 on the candidate side', async () => {
    const { experiment, pairs } = setup();
    const result = await experiment.run({
      control: () => 7,
      candidate: () => {
        throw new RangeError('boom');
      },
    });
    expect(result).toBe(7);
    await experiment.settle();
    expect(pairs[0]?.candidate).toMatchObject({ ok: true, response: { status: 500 } });
    expect(body(pairs[0], 'candidate')).toEqual({ error: { name: 'RangeError', message: 'boom' } });
    expect(experiment.counters().candidateErrors).toBe(1);
  });

  it("rethrows the control's error, whatever the candidate did, and still publishes the pair", async () => {
    const { experiment, pairs } = setup();
    const failure = new Error('control failed');
    await expect(experiment.run({ control: async () => Promise.reject(failure), candidate: () => 1 })).rejects.toBe(failure);
    await experiment.settle();
    expect(pairs[0]?.primary.status).toBe(500);
  });

  it('runs the two in random order', async () => {
    const orders = new Set<string>();
    for (const r of [0.1, 0.9]) {
      const { experiment } = setup({ random: () => r });
      const order: string[] = [];
      await experiment.run({ control: () => order.push('control'), candidate: () => order.push('candidate') });
      await experiment.settle();
      orders.add(order.join(','));
    }
    expect([...orders].sort()).toEqual(['candidate,control', 'control,candidate']);
  });

  it('does not wait for a slow candidate, bounds it by the timeout and aborts its signal', async () => {
    const { experiment, pairs } = setup({ timeoutMs: 50 });
    let aborted = false;
    let finish: () => void = () => undefined;
    const result = await experiment.run({
      control: () => 'fast',
      candidate: (signal) =>
        new Promise<string>((resolve) => {
          signal.addEventListener('abort', () => (aborted = true));
          finish = () => resolve('late');
        }),
    });
    expect(result).toBe('fast');
    // The caller has its answer while the candidate still runs and before its timeout fired.
    expect(aborted).toBe(false);
    expect(experiment.counters().timeouts).toBe(0);
    expect(experiment.running).toBe(1);
    await experiment.settle();
    expect(pairs[0]?.candidate).toEqual({ ok: false, error: { kind: 'timeout', message: 'the candidate took longer than 50 ms', latencyMs: 50 } });
    expect(aborted).toBe(true);
    expect(experiment.counters().timeouts).toBe(1);
    // A timed-out candidate holds its slot until it really ends: the concurrency bound is real.
    expect(experiment.running).toBe(1);
    finish();
    await new Promise((r) => setImmediate(r));
    expect(experiment.running).toBe(0);
  });

  it('bounds the candidates running at once: past the bound the pair says overload and the control still runs', async () => {
    const { experiment, pairs } = setup({ maxInFlight: 2, timeoutMs: 1000 });
    const releases: Array<() => void> = [];
    const candidate = () => new Promise<number>((resolve) => releases.push(() => resolve(1)));
    let candidatesStarted = 0;
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        experiment.run({
          control: () => i,
          candidate: () => {
            candidatesStarted += 1;
            return candidate();
          },
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4]);
    expect(candidatesStarted).toBe(2);
    expect(experiment.running).toBe(2);
    releases.forEach((r) => r());
    await experiment.settle();
    expect(pairs.filter((p) => !p.candidate.ok && p.candidate.error.kind === 'overload')).toHaveLength(3);
    expect(pairs.filter((p) => p.candidate.ok)).toHaveLength(2);
    expect(experiment.counters()).toMatchObject({ overloads: 3, sampled: 5, pairs: 5 });
  });

  it('samples by a consistent key: a key is always in or always out, and the rate holds', async () => {
    const { experiment, pairs } = setup({ sampleRate: 0.3 });
    let candidates = 0;
    const decisions = new Map<string, boolean>();
    for (let round = 0; round < 2; round += 1) {
      for (let k = 0; k < 1000; k += 1) {
        let ran = false;
        await experiment.run({ key: `tenant-${k}`, control: () => 0, candidate: () => ((ran = true), (candidates += 1), 0) });
        if (round === 0) decisions.set(`tenant-${k}`, ran);
        else expect(ran).toBe(decisions.get(`tenant-${k}`));
      }
    }
    await experiment.settle();
    const share = [...decisions.values()].filter(Boolean).length / decisions.size;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
    expect(pairs).toHaveLength(candidates);
    expect(experiment.counters().notSampled).toBe(2000 - candidates);
  });

  it('runs the control alone once disabled (the kill switch) or without a candidate', async () => {
    const { experiment, pairs } = setup();
    const candidate = jest.fn(() => 2);
    experiment.disable('killed');
    expect(await experiment.run({ control: () => 1, candidate })).toBe(1);
    expect(await experiment.run({ control: () => 1, candidate: undefined })).toBe(1);
    experiment.enable();
    await experiment.run({ control: () => 1, candidate });
    await experiment.settle();
    expect(candidate).toHaveBeenCalledTimes(1);
    expect(pairs).toHaveLength(1);
    expect(experiment.counters().controlOnly).toBe(2);
  });

  it('publishes no pair for a control result that cannot be written as JSON, and a too-large candidate is an error', async () => {
    const { experiment, pairs } = setup({ maxBodyBytes: 100 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await experiment.run({ control: () => cyclic, candidate: () => ({}) })).toBe(cyclic);
    await experiment.run({ control: () => 'small', candidate: () => 'x'.repeat(200) });
    await experiment.settle();
    expect(experiment.counters().unpublishable).toBe(1);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]?.candidate).toMatchObject({ ok: false, error: { kind: 'too-large' } });
  });
});
