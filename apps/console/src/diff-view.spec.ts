import { noiseRows, pairViews } from './diff-view';

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

  it('lists the paths on which production differed from itself, with how often the candidate did', () => {
    const rows = noiseRows('GET /users/:id', { req: '40', 'raw:$.requestId': '40', 'noise:$.requestId': '40', 'raw:$.data.name': '2', 'noise:$.data.name': '0' });
    expect(rows).toEqual([{ endpoint: 'GET /users/:id', path: '$.requestId', requests: 40, candidateDiffered: 40, productionDiffered: 40 }]);
  });
});
