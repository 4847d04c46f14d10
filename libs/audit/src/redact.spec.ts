import { REDACTED, redactPaths } from './redact';

describe('redactPaths', () => {
  const event = {
    id: 'e1',
    customer: { email: 'a@b.c', name: 'Ann' },
    items: [
      { id: 1, card: '4111' },
      { id: 2, card: '5500' },
    ],
    nested: { deep: { email: 'x@y.z' } },
  };

  it('replaces the values at the paths and leaves the rest and the input untouched', () => {
    const out = redactPaths(event, ['$.customer.email', '$.items[*].card']);
    expect(out).toEqual({
      ...event,
      customer: { email: REDACTED, name: 'Ann' },
      items: [
        { id: 1, card: REDACTED },
        { id: 2, card: REDACTED },
      ],
    });
    expect(event.customer.email).toBe('a@b.c');
    expect(Object.keys(out as object)).toEqual(Object.keys(event));
  });

  it('reaches a field at any depth with ..', () => {
    const out = redactPaths(event, ['$..email']) as typeof event;
    expect(out.customer.email).toBe(REDACTED);
    expect(out.nested.deep.email).toBe(REDACTED);
    expect(JSON.stringify(out)).not.toMatch(/@/);
  });

  it('redacts a whole subtree, an array index, and nothing when no path is given', () => {
    expect(redactPaths(event, ['$.customer'])).toMatchObject({ customer: REDACTED });
    expect((redactPaths(event, ['$.items[1]']) as typeof event).items).toEqual([{ id: 1, card: '4111' }, REDACTED]);
    expect(redactPaths(event, [])).toBe(event);
  });

  it('keeps __proto__ an ordinary key and survives very deep values', () => {
    const tricky = JSON.parse('{"__proto__": {"secret": "s"}, "a": 1}') as Record<string, unknown>;
    const out = redactPaths(tricky, ['$..secret']) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"secret":"[redacted]"},"a":1}');
    let deep: unknown = { secret: 'x' };
    for (let i = 0; i < 50_000; i += 1) deep = { d: deep };
    let node = redactPaths(deep, ['$..secret']) as { d?: unknown; secret?: unknown };
    while (node.d !== undefined) node = node.d as typeof node;
    expect(node.secret).toBe(REDACTED);
  });
});
