import { type GoReplayMessage } from '@penumbra/contracts';
import { GoReplayJoiner, dechunk } from './goreplay-join';

const req = (id: string, over: Partial<GoReplayMessage> = {}): GoReplayMessage => ({
  Req_URL: '/orders/42?x=1',
  Req_Type: '1',
  Req_ID: id,
  Req_Ts: '1700000000000000000',
  Req_Method: 'GET',
  Req_Body: '',
  Req_Headers: { Host: 'prod', 'X-Tenant': 'acme' },
  ...over,
});
const res = (id: string, over: Partial<GoReplayMessage> = {}): GoReplayMessage => ({
  Req_URL: '200',
  Req_Type: '2',
  Req_ID: id,
  Req_Ts: '1700000000012500000',
  Req_Method: 'HTTP/1.1',
  Req_Body: '{"id":42}',
  Req_Headers: { 'Content-Type': 'application/json' },
  ...over,
});
const at = (partition: number, offset: number) => ({ partition, offset: String(offset) });

function joiner() {
  return new GoReplayJoiner({ service: 'orders', windowMs: 1000, maxPending: 3, attributeHeaders: { 'x-tenant': 'tenant' } });
}

describe('GoReplayJoiner', () => {
  it('joins a request with its response in either order and across partitions', () => {
    const j = joiner();
    expect(j.add(res('a'), at(1, 5), 0)).toEqual([]);
    const [event] = j.add(req('a'), at(0, 9), 10);
    expect(event).toMatchObject({
      kind: 'joined',
      coords: [at(0, 9), at(1, 5)],
      record: {
        id: 'gor-a',
        ts: 1_700_000_000_000,
        service: 'orders',
        request: { method: 'GET', path: '/orders/42', query: 'x=1', headers: { host: 'prod', 'x-tenant': 'acme' } },
        response: { status: 200, latencyMs: 12.5, body: { encoding: 'utf8', data: '{"id":42}' }, headers: { 'content-type': 'application/json' } },
        attributes: { tenant: 'acme' },
      },
    });
    expect(j.size).toBe(0);
  });

  it('rejects what stays unmatched past the window, naming the missing half', () => {
    const j = joiner();
    j.add(req('lonely'), at(0, 1), 0);
    expect(j.expire(500)).toEqual([]);
    expect(j.expire(1001)).toEqual([{ kind: 'rejected', coord: at(0, 1), reason: 'no response for Req_ID lonely within 1000 ms', cause: 'expired' }]);
    expect(j.pendingBytes).toBe(0);
  });

  it('evicts the oldest when the buffer is full', () => {
    const j = joiner();
    ['a', 'b', 'c'].forEach((id, i) => j.add(req(id), at(0, i), 0));
    expect(j.add(req('d'), at(0, 3), 0)).toEqual([{ kind: 'rejected', coord: at(0, 0), reason: expect.stringMatching(/^join buffer full \(3 waiting/), cause: 'evicted' }]);
    expect(j.size).toBe(3);
  });

  it('evicts the oldest halves to stay within its byte budget, counting what the caller holds too', () => {
    const j = new GoReplayJoiner({ service: 'orders', windowMs: 1000, maxPending: 1000, maxPendingBytes: 12_000, attributeHeaders: {} });
    const body = 'x'.repeat(2_000);
    const events = Array.from({ length: 10 }, (_, i) => j.add(req(`r${i}`, { Req_Body: body }), at(0, i), 0, 1_000)).flat();
    expect(j.pendingBytes).toBeLessThanOrEqual(12_000);
    expect(j.size).toBe(3);
    expect(events.map((e) => (e.kind === 'rejected' ? [e.coord.offset, e.cause] : e.kind))).toEqual(['0', '1', '2', '3', '4', '5', '6'].map((o) => [o, 'evicted']));
    expect(j.lowestPendingOffset(0)).toBe(7n);
    expect(j.expire(2_000)).toHaveLength(3);
    expect(j.pendingBytes).toBe(0);
  });

  it('frees the bytes of joined halves', () => {
    const j = joiner();
    j.add(req('a', { Req_Body: 'y'.repeat(500) }), at(0, 0), 0, 700);
    expect(j.pendingBytes).toBeGreaterThan(1_200);
    expect(j.add(res('a'), at(0, 1), 0)[0]).toMatchObject({ kind: 'joined' });
    expect(j.pendingBytes).toBe(0);
  });

  it('rejects a half whose body is over the bound at once, and its other half whether it waited or comes later', () => {
    const j = new GoReplayJoiner({ service: 'orders', windowMs: 1000, maxPending: 10, maxBodyBytes: 100, attributeHeaders: {} });
    j.add(req('big'), at(0, 0), 0);
    expect(j.add(res('big', { Req_Body: 'z'.repeat(101) }), at(0, 1), 0)).toEqual([
      { kind: 'rejected', coord: at(0, 1), reason: 'response body of 101 bytes is over the 100 byte bound for Req_ID big', cause: 'too-large' },
      { kind: 'rejected', coord: at(0, 0), reason: expect.stringMatching(/^its other half was dropped/), cause: 'too-large' },
    ]);
    expect(j.add(req('huge', { Req_Body: 'z'.repeat(101) }), at(0, 2), 0)).toMatchObject([{ cause: 'too-large' }]);
    expect(j.add(res('huge'), at(0, 3), 0)).toMatchObject([{ coord: at(0, 3), cause: 'too-large' }]);
    expect(j.size).toBe(0);
    expect(j.pendingBytes).toBe(0);
  });

  it('tracks the lowest offset still waiting per partition', () => {
    const j = joiner();
    j.add(req('a'), at(0, 7), 0);
    j.add(req('b'), at(0, 3), 0);
    j.add(res('c'), at(1, 2), 0);
    expect(j.lowestPendingOffset(0)).toBe(3n);
    j.add(res('b'), at(1, 4), 0);
    expect(j.lowestPendingOffset(0)).toBe(7n);
    expect(j.lowestPendingOffset(2)).toBeUndefined();
  });

  it('rejects replayed responses, bad methods and bad statuses', () => {
    const j = joiner();
    expect(j.add(res('r', { Req_Type: '3' }), at(0, 0), 0)[0]).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/Req_Type 3/) });
    j.add(req('m', { Req_Method: 'BREW' }), at(0, 1), 0);
    expect(j.add(res('m'), at(0, 2), 0)).toEqual([
      { kind: 'rejected', coord: at(0, 1), reason: 'unknown request method "BREW"', cause: 'invalid' },
      { kind: 'rejected', coord: at(0, 2), reason: 'unknown request method "BREW"', cause: 'invalid' },
    ]);
    j.add(req('s'), at(0, 3), 0);
    expect(j.add(res('s', { Req_URL: 'OK' }), at(0, 4), 0)[0]).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/not an HTTP status/) });
  });

  it('decodes a chunked response body', () => {
    expect(dechunk('4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\n\r\n')).toBe('Wikipedia');
    expect(dechunk('zz\r\n')).toBeUndefined();
    const j = joiner();
    j.add(req('c'), at(0, 0), 0);
    const [e] = j.add(res('c', { Req_Body: '2\r\nok\r\n0\r\n\r\n', Req_Headers: { 'Transfer-Encoding': 'chunked' } }), at(0, 1), 0);
    expect(e).toMatchObject({ kind: 'joined', record: { response: { body: { data: 'ok' }, headers: {} } } });
  });
});
