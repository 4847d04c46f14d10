import { SliceCapAlerts } from './slice-cap-alerts';

describe('SliceCapAlerts', () => {
  it('alerts once per experiment per interval, with what was refused since the last alert', () => {
    const alerts = new SliceCapAlerts(100, 60_000);
    alerts.count(new Map([['e', 3]]));
    alerts.count(new Map([['e', 2]]));
    expect(alerts.drain(0)).toEqual([expect.objectContaining({ kind: 'cap-reached', experimentId: 'e', details: { cap: 100, refused: 5 } })]);
    alerts.count(new Map([['e', 7]]));
    expect(alerts.drain(30_000)).toEqual([]);
    alerts.count(new Map([['f', 1]]));
    expect(alerts.drain(60_000).map((a) => [a.experimentId, a.details['refused']])).toEqual([
      ['e', 7],
      ['f', 1],
    ]);
    expect(alerts.drain(200_000)).toEqual([]);
  });
});
