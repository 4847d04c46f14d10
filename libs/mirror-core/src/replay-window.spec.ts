import { ReplayOptionError, ReplayPacer, parseReplayPace, parseReplayTime, parseReplayWindow } from './replay-window';

const NOW = Date.parse('2026-11-28T12:00:00Z');

describe('replay window', () => {
  it.each([
    ['2h', NOW - 7_200_000],
    ['30m', NOW - 1_800_000],
    ['90s', NOW - 90_000],
    ['1d', NOW - 86_400_000],
    ['2026-11-28T10:00:00Z', Date.parse('2026-11-28T10:00:00Z')],
    [String(NOW - 5), NOW - 5],
  ])('reads %s', (text, at) => {
    expect(parseReplayTime('--from', text, NOW)).toBe(at);
  });

  it.each([
    ['yesterday', '--from'],
    ['2026-12-01T00:00:00Z', '--from'],
    ['400d', '--from'],
  ])('refuses %s naming the option', (text, option) => {
    expect(() => parseReplayTime(option, text, NOW)).toThrow(new RegExp(`^${option}: `));
  });

  it('ends now by default and refuses an end before the start', () => {
    expect(parseReplayWindow('1h', undefined, NOW)).toEqual({ from: NOW - 3_600_000, to: NOW });
    expect(() => parseReplayWindow('1h', '2h', NOW)).toThrow(ReplayOptionError);
    expect(() => parseReplayWindow('1h', '2h', NOW)).toThrow(/^--to: must be after --from/);
  });
});

describe('replay pace', () => {
  it('reads a speed-up, a rate, or neither', () => {
    expect(parseReplayPace('10x', undefined)).toEqual({ kind: 'speed', factor: 10 });
    expect(parseReplayPace(undefined, '50/s')).toEqual({ kind: 'rate', perSecond: 50 });
    expect(parseReplayPace(undefined, '2.5')).toEqual({ kind: 'rate', perSecond: 2.5 });
    expect(parseReplayPace(undefined, undefined)).toEqual({ kind: 'caps' });
  });

  it.each([
    ['10', undefined, '--speed'],
    ['0x', undefined, '--speed'],
    [undefined, 'fast', '--rate'],
    [undefined, '0/s', '--rate'],
    ['2x', '5/s', '--speed'],
  ])('refuses speed %s rate %s naming %s', (speed, rate, option) => {
    expect(() => parseReplayPace(speed, rate)).toThrow(new RegExp(`^${option.replace(/-/g, '\\-')}: `));
  });

  it('spaces records by their captured gaps divided by the speed-up', () => {
    const pacer = new ReplayPacer({ kind: 'speed', factor: 10 }, 100_000, 0);
    expect([pacer.next(0), pacer.next(10_000), pacer.next(60_000)]).toEqual([100_000, 101_000, 106_000]);
  });

  it('spaces records evenly at a rate, and gives back an unread slot', () => {
    const pacer = new ReplayPacer({ kind: 'rate', perSecond: 4 }, 0, 0);
    expect(pacer.next(0)).toBe(0);
    expect(pacer.next(0)).toBe(250);
    pacer.unread();
    expect(pacer.next(0)).toBe(250);
    expect(pacer.next(0)).toBe(500);
  });
});
