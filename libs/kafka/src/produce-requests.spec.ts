import fc from 'fast-check';
import { type OutgoingMessage } from './ports';
import { produceRequests } from './produce-requests';

const message = (value: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({ topic: 't', key: null, value, ...extra });

describe('produceRequests', () => {
  it('keeps every message once, in order, each request within the budget unless one message alone exceeds it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ value: fc.string({ maxLength: 300 }), key: fc.option(fc.string({ maxLength: 20 }), { nil: null }) })),
        fc.integer({ min: 1, max: 600 }),
        (drawn, budget) => {
          const messages = drawn.map((d) => message(d.value, { key: d.key }));
          const requests = produceRequests(messages, budget);
          expect(requests.flat()).toEqual(messages);
          for (const r of requests) {
            expect(r.length).toBeGreaterThan(0);
            const bytes = r.reduce((n, m) => n + Buffer.byteLength(m.key ?? '') + Buffer.byteLength(String(m.value)), 0);
            // Each record's framing counts too.
            if (r.length > 1) expect(bytes + 64 * r.length).toBeLessThanOrEqual(budget);
          }
        },
      ),
    );
  });

  it('counts headers and multi-byte characters', () => {
    const requests = produceRequests([message('é'.repeat(30), { headers: { trace: 'x'.repeat(40) } }), message('a')], 210);
    expect(requests.map((r) => r.length)).toEqual([1, 1]);
  });

  it("counts each record's framing, so many empty records are cut too", () => {
    const requests = produceRequests(
      Array.from({ length: 100 }, () => ({ topic: 't', key: null, value: null })),
      640,
    );
    expect(requests.map((r) => r.length)).toEqual(Array.from({ length: 10 }, () => 10));
  });

  it('sends nothing for no messages', () => {
    expect(produceRequests([])).toEqual([]);
  });
});
