import { pairViews } from './diff-view';

describe('differences for the side-by-side view', () => {
  it('gathers each example pair with all its differing fields and both values, redacted ones as they came', () => {
    const views = pairViews([
      { endpoint: 'GET /orders/:id', path: '$.data.tax', count: 3, examples: [], samples: [{ pairId: 'p1', primary: '205.07', candidate: '246.08' }] },
      {
        endpoint: 'GET /orders/:id',
        path: '$.data.total',
        count: 3,
        examples: [],
        samples: [
          { pairId: 'p1', primary: '1230.41', candidate: '1271.42' },
          { pairId: 'p2', primary: '[redacted]', candidate: '[redacted]' },
        ],
      },
    ]);
    expect(views[0]).toEqual({
      pairId: 'p1',
      endpoint: 'GET /orders/:id',
      fields: [
        { path: '$.data.tax', primary: '205.07', candidate: '246.08' },
        { path: '$.data.total', primary: '1230.41', candidate: '1271.42' },
      ],
    });
    expect(views[1]?.fields).toEqual([{ path: '$.data.total', primary: '[redacted]', candidate: '[redacted]' }]);
  });
});
