import { emptyEvidence, rateSample } from './evidence';

describe('rateSample', () => {
  it('leaves pairs whose comparison was unknown (a truncated body) out of the match and mismatch trials', () => {
    const counts = { ...emptyEvidence().counts, pairs: 10, match: 6, mismatch: 1, unknown: 3 };
    expect(rateSample('matchRate', counts)).toEqual({ successes: 6, trials: 7 });
    expect(rateSample('mismatchRate', counts)).toEqual({ successes: 1, trials: 7 });
    expect(rateSample('candidateErrorRate', counts)).toEqual({ successes: 0, trials: 10 });
  });
});
