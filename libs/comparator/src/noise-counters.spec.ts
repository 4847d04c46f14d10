import { NOISE_FIELDS, noiseKey, noisyPaths } from './noise-counters';

describe('noise counters', () => {
  it('keys each experiment and endpoint on its own hash slot', () => {
    expect(noiseKey('t.', 'exp-1', 'GET /users/:id')).toBe('t.noise:{exp-1}:GET /users/:id');
  });

  it('lists the paths on which production differed from itself, the noisiest first, with how often the candidate did', () => {
    const hash = {
      [NOISE_FIELDS.requests]: '40',
      [NOISE_FIELDS.candidateDiffered('$.requestId')]: '40',
      [NOISE_FIELDS.productionDiffered('$.requestId')]: '40',
      [NOISE_FIELDS.candidateDiffered('$.ts')]: '3',
      [NOISE_FIELDS.productionDiffered('$.ts')]: '5',
      [NOISE_FIELDS.candidateDiffered('$.data.name')]: '2',
      [NOISE_FIELDS.productionDiffered('$.data.name')]: '0',
    };
    expect(noisyPaths('GET /users/:id', hash)).toEqual([
      { endpoint: 'GET /users/:id', path: '$.requestId', requests: 40, candidateDiffered: 40, productionDiffered: 40 },
      { endpoint: 'GET /users/:id', path: '$.ts', requests: 40, candidateDiffered: 3, productionDiffered: 5 },
    ]);
  });

  it('ignores fields it does not own and values that are not counts', () => {
    expect(noisyPaths('e', { other: '9', [NOISE_FIELDS.productionDiffered('$.a')]: 'x' })).toEqual([]);
  });
});
