import { emptyEvidence, mirrorCoverage, rateSample, stageSamples } from './evidence';

describe('rateSample', () => {
  it('leaves pairs whose comparison was unknown (a truncated body) out of the match and mismatch trials', () => {
    const counts = { ...emptyEvidence().counts, pairs: 10, match: 6, mismatch: 1, unknown: 3 };
    expect(rateSample('matchRate', counts)).toEqual({ successes: 6, trials: 7 });
    expect(rateSample('mismatchRate', counts)).toEqual({ successes: 1, trials: 7 });
    expect(rateSample('candidateErrorRate', counts)).toEqual({ successes: 0, trials: 10 });
  });
});

describe('mirrorCoverage', () => {
  const summary = (sum: number, count = 1) => ({ count, sum, min: 0, max: sum, last: sum });

  it('is mirrored over matched, and null before the mirror counted anything', () => {
    expect(mirrorCoverage({ metrics: {} })).toBeNull();
    expect(mirrorCoverage({ metrics: { mirror_matched: summary(200), mirror_mirrored: summary(150) } })).toBe(0.75);
    expect(mirrorCoverage({ metrics: { mirror_matched: summary(10) } })).toBe(0);
  });

  it('does not count the mirror bookkeeping as samples of an experiment without pairs', () => {
    const e = { ...emptyEvidence(), metrics: { mirror_matched: summary(100, 40), precision: summary(3, 7) } };
    expect(stageSamples(e)).toBe(7);
  });
});
