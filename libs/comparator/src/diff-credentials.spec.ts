import { diffEventSchema, pairSchema } from '@penumbra/contracts';
import { credentialPolicy } from '@penumbra/credentials';
import { compareConfigOf, comparePair, diffEventOf } from './compare-pair';
import { differenceWithoutCredentials } from './diff-credentials';

const policy = credentialPolicy({ hashKey: 'k' });

describe('differenceWithoutCredentials', () => {
  it('hashes both sides of a credential header difference and scrubs URLs in other values', () => {
    const header = differenceWithoutCredentials({ path: 'header:set-cookie', kind: 'header', primary: 'sid=p-secret', candidate: 'sid=c-secret' }, policy);
    expect(header).toEqual({ path: 'header:set-cookie', kind: 'header', primary: policy.hash('sid=p-secret'), candidate: policy.hash('sid=c-secret') });
    const body = differenceWithoutCredentials({ path: '$.next', kind: 'changed', primary: '"https://h/x?token=t-secret&page=2"', candidate: '"https://h/x?page=2"' }, policy);
    expect(body.primary).toBe(`"https://h/x?token=${policy.hash('t-secret')}&page=2"`);
    expect(body.candidate).toBe('"https://h/x?page=2"');
  });

  it('stays within the contract when hashes outgrow the tokens they replace', () => {
    const many = `?${Array.from({ length: 60 }, (_, i) => `token=${i}`).join('&')}`;
    const d = differenceWithoutCredentials({ path: '$.u', kind: 'changed', primary: many }, policy);
    expect(d.primary?.length).toBeLessThanOrEqual(1024);
    expect(diffEventSchema.shape.differences.parse([d])).toHaveLength(1);
  });

  it('leaves a credential header that differs visible as a difference of hashes after comparing', () => {
    const pair = pairSchema.parse({
      type: 'pair.v1',
      id: 'e:t',
      ts: 1,
      experimentId: 'e',
      trafficId: 't',
      source: 'mirror',
      endpoint: 'GET /a',
      slice: {},
      request: { method: 'GET', path: '/a' },
      primary: { status: 200, headers: { 'set-cookie': 'sid=p-secret' }, latencyMs: 1 },
      candidate: { ok: true, response: { status: 200, headers: { 'set-cookie': 'sid=c-secret' }, latencyMs: 1 } },
    });
    const config = { ...compareConfigOf(undefined, 1024), headers: ['set-cookie'] };
    const c = comparePair(pair, config);
    const event = diffEventOf(
      c,
      c.differences.map((d) => differenceWithoutCredentials(d, policy)),
      [],
      [],
      1,
    );
    expect(event.outcome).toBe('mismatch');
    expect(JSON.stringify(event)).not.toMatch(/p-secret|c-secret/);
  });
});
