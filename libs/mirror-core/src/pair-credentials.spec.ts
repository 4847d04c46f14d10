import { pairSchema } from '@penumbra/contracts';
import { credentialPolicy } from '@penumbra/credentials';
import { pairWithoutCredentials } from './pair-credentials';

const response = (headers: Record<string, string>) => ({ status: 200, headers, latencyMs: 1 });

describe('pairWithoutCredentials', () => {
  const policy = credentialPolicy({ hashKey: 'k' });
  const pair = pairSchema.parse({
    type: 'pair.v1',
    id: 'e:t',
    ts: 1,
    experimentId: 'e',
    trafficId: 't',
    source: 'mirror',
    endpoint: 'GET /a',
    slice: {},
    request: { method: 'GET', path: '/a;jsessionid=path-secret', query: 'access_token=query-secret&page=2' },
    primary: {
      ...response({ 'set-cookie': 'sid=primary-secret', location: 'https://u:userinfo-secret@h/next?sig=loc-secret', 'content-type': 'text/plain' }),
      body: { encoding: 'utf8', data: '{"next":"/a?access_token=body-secret\\u0026page=2","auth":"Bearer bearer-body-secret"}' },
    },
    candidate: { ok: true, response: response({ 'set-cookie': 'sid=candidate-secret' }) },
    secondary: { ok: false, error: { kind: 'timeout', message: 'timed out' } },
  });

  it('hashes query secrets, matrix parameters and every credential response header, and keeps the rest', () => {
    const out = pairWithoutCredentials(pair, policy);
    const text = JSON.stringify(out);
    for (const secret of ['path-secret', 'query-secret', 'primary-secret', 'userinfo-secret', 'loc-secret', 'candidate-secret', 'body-secret']) expect(text).not.toContain(secret);
    expect(JSON.parse(out.primary.body?.data ?? '')).toEqual({ next: `/a?access_token=${policy.hash('body-secret')}&page=2`, auth: `Bearer ${policy.hash('bearer-body-secret')}` });
    expect(out.request.query).toBe(`access_token=${policy.hash('query-secret')}&page=2`);
    expect(out.primary.headers['set-cookie']).toBe(policy.hash('sid=primary-secret'));
    expect(out.primary.headers['content-type']).toBe('text/plain');
    expect(out.candidate.ok && out.candidate.response.headers['set-cookie']).toBe(policy.hash('sid=candidate-secret'));
    expect(out.secondary).toEqual(pair.secondary);
    expect(pairSchema.parse(out)).toEqual(out);
  });

  it('keeps the path and query within the contract when hashes outgrow the tokens they replace', () => {
    const query = Array.from({ length: 1500 }, (_, i) => `sig=${i}`).join('&');
    const out = pairWithoutCredentials({ ...pair, request: { ...pair.request, query } }, policy);
    expect(out.request.query.length).toBeLessThanOrEqual(8192);
    expect(pairSchema.parse(out).request.query).toBe(out.request.query);
  });
});
