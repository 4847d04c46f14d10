import { type Server, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Pair } from '@penumbra/contracts';
import { Adaptive, Experiment } from '@penumbra/sdk';
import { CURRENT_POLICY, HitLog, PROPOSED_POLICY, type RateLimitPolicy, decide } from './rate-limit-policy';
import { rateLimitHandler } from './service';

describe('rate-limit policies', () => {
  it('the window refuses past the limit and says when to retry', () => {
    const hits = Array.from({ length: 100 }, (_, i) => 1000 + i * 100);
    expect(decide(CURRENT_POLICY, hits, 20_000)).toEqual({ allowed: false, rule: 'window', retryAfterMs: 41_000 });
    expect(decide(CURRENT_POLICY, hits.slice(1), 20_000).allowed).toBe(true);
  });

  it('the proposed policy caps bursts the current one lets through', () => {
    const burst = Array.from({ length: 10 }, (_, i) => 5_000 + i * 10);
    expect(decide(CURRENT_POLICY, burst, 5_200).allowed).toBe(true);
    expect(decide(PROPOSED_POLICY, burst, 5_200)).toMatchObject({ allowed: false, rule: 'burst' });
  });

  it('keeps the hit log bounded', () => {
    const log = new HitLog(5, 2);
    for (let i = 0; i < 10; i += 1) log.record('a', i);
    log.record('b', 1);
    log.record('c', 1);
    expect(log.of('a')).toEqual([]);
    expect(log.of('c')).toEqual([1]);
    const only = new HitLog(5, 10);
    for (let i = 0; i < 10; i += 1) only.record('a', i);
    expect(only.of('a')).toEqual([5, 6, 7, 8, 9]);
  });
});

describe('the service', () => {
  let server: Server;
  let base: string;
  const pairs: Pair[] = [];
  const policy = new Adaptive<RateLimitPolicy>(CURRENT_POLICY, PROPOSED_POLICY);
  const experiment = new Experiment({ experimentId: 'rate-limit-v2', sink: { offer: (p) => pairs.push(p) } });
  let clock = 100_000;

  beforeAll(async () => {
    server = createServer(rateLimitHandler({ policy, experiment, hits: new HitLog(), now: () => clock }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('enforces the primary, compares the shadow in process, and serves the shadow once promoted', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      clock += 10;
      statuses.push((await fetch(`${base}/api/acme/orders`)).status);
    }
    // The current policy allows all twelve; the proposed one would refuse the 11th and 12th within a second.
    expect(statuses.every((s) => s === 200)).toBe(true);
    await experiment.settle();
    expect(pairs).toHaveLength(12);
    const refusedByShadow = pairs.filter((p) => p.candidate.ok && JSON.parse(p.candidate.response.body?.data ?? '{}').allowed === false);
    expect(refusedByShadow).toHaveLength(2);
    expect(pairs[0]).toMatchObject({ experimentId: 'rate-limit-v2', endpoint: 'rate-limit.decide', slice: { tenant: 'acme' }, source: 'sdk' });

    policy.promoteShadow();
    clock += 10;
    const refused = await fetch(`${base}/api/acme/orders`);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ rule: 'burst' });
    expect(await (await fetch(`${base}/policy`)).json()).toMatchObject({ primary: { name: PROPOSED_POLICY.name }, previous: { name: CURRENT_POLICY.name }, shadow: null });
  });
});
