import { parseDuration } from './aggregates';

describe('parseDuration', () => {
  it('reads a number and a unit', () => {
    expect([parseDuration('90s'), parseDuration('15m'), parseDuration('2h'), parseDuration('7d')]).toEqual([90_000, 900_000, 7_200_000, 604_800_000]);
  });

  it('refuses anything else', () => {
    expect([parseDuration('xx'), parseDuration('10'), parseDuration('-5m'), parseDuration('1.5h')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
