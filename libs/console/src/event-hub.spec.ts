import { EventHub, changedIds } from './event-hub';

describe('console event streams', () => {
  it('sends each event to every open stream, and refuses streams past the bound', () => {
    const hub = new EventHub(2);
    const got: string[][] = [[], [], []];
    const client = (i: number) => ({ write: (c: string) => void got[i]?.push(c), end: () => undefined });
    expect([hub.add(client(0)), hub.add(client(1)), hub.add(client(2))]).toEqual([true, true, false]);
    hub.send('changed', { ids: ['a<b>'] });
    expect(got[0]).toContain('event: changed\ndata: {"ids":["a<b>"]}\n\n');
    expect(got[1]).toContain('event: changed\ndata: {"ids":["a<b>"]}\n\n');
    expect(got[2]).toEqual([]);
  });

  it('names experiments that were added, changed or removed, and none when nothing changed', () => {
    const before = new Map([
      ['a', '1'],
      ['b', '1'],
      ['c', '1'],
    ]);
    const after = new Map([
      ['a', '1'],
      ['b', '2'],
      ['d', '1'],
    ]);
    expect(changedIds(before, after)).toEqual(['b', 'c', 'd']);
    expect(changedIds(after, new Map(after))).toEqual([]);
  });
});
