import fc from 'fast-check';
import { pathEvidenceOf, pathName } from './path-counters';
import { judgeRollupPaths } from './path-judge';
import { PATH_FIELDS } from './window-ops';

const settings = { fdr: 0.05, delta: 0.001, alpha: 0.05, maxPaths: 100 };
const EP = 'GET /a';
const endpoints = fc.constantFrom(EP, 'GET /b', '\t', '"');
const field = fc.oneof(
  fc.string(),
  fc.constantFrom(PATH_FIELDS.overflow, PATH_FIELDS.incomplete),
  endpoints.map(PATH_FIELDS.pairs),
  fc.tuple(fc.constantFrom(PATH_FIELDS.candidateOnly, PATH_FIELDS.secondaryOnly, PATH_FIELDS.both), endpoints, fc.constantFrom('$.a', '$.b[*]')).map(([f, e, p]) => f(e, p)),
  fc.tuple(fc.constantFrom('n:', 'c:', 's:', 'b:'), fc.json()).map(([a, b]) => a + b),
);
const value = fc.oneof(fc.string(), fc.nat({ max: 5000 }).map(String), fc.constantFrom('-1', '1e400', 'NaN', '2.5', '9007199254740993'));

describe('pathEvidenceOf', () => {
  it('reads the cells of each path against its endpoint pairs, and keeps a frozen e-value', () => {
    const e = pathEvidenceOf(
      { [PATH_FIELDS.pairs(EP)]: '1000', [PATH_FIELDS.candidateOnly(EP, '$.x')]: '40', [PATH_FIELDS.both(EP, '$.x')]: '2', [PATH_FIELDS.secondaryOnly(EP, '$.y')]: '7' },
      { [pathName(EP, '$.x')]: '9.5' },
    );
    expect(e.pairs).toBe(1000);
    expect(e.overflow).toBe(0);
    expect(e.paths).toEqual([
      { path: pathName(EP, '$.x'), endpoint: EP, template: '$.x', counts: { n: 1000, candidateOnly: 40, secondaryOnly: 0, both: 2 }, flaggedLogEValue: 9.5 },
      { path: pathName(EP, '$.y'), endpoint: EP, template: '$.y', counts: { n: 1000, candidateOnly: 0, secondaryOnly: 7, both: 0 } },
    ]);
  });

  it('leaves out, as overflow, a path whose cells do not fit its endpoint pairs, and adds refused and incomplete counts', () => {
    const e = pathEvidenceOf({ [PATH_FIELDS.candidateOnly('GET /gone', '$.x')]: '3', [PATH_FIELDS.overflow]: '4', [PATH_FIELDS.incomplete]: '2' }, {});
    expect(e.paths).toEqual([]);
    expect(e.overflow).toBe(7);
  });

  it('never throws on fields and values it did not write, and never yields counts that break the statistics', () => {
    fc.assert(
      fc.property(fc.dictionary(field, value), fc.dictionary(fc.string(), value), (hash, flagged) => {
        const e = pathEvidenceOf(hash, flagged);
        for (const p of e.paths) expect(p.counts.candidateOnly + p.counts.secondaryOnly + p.counts.both).toBeLessThanOrEqual(p.counts.n);
        expect(() => judgeRollupPaths(e, settings)).not.toThrow();
      }),
    );
  });
});

describe('judgeRollupPaths', () => {
  it('flags a regressed path, shows a quiet one as noise, and bounds the largest excess', () => {
    const e = pathEvidenceOf({ [PATH_FIELDS.pairs(EP)]: '20000', [PATH_FIELDS.candidateOnly(EP, '$.price')]: '200', [PATH_FIELDS.secondaryOnly(EP, '$.ts')]: '3' }, {});
    const { verdicts, newlyFlagged } = judgeRollupPaths(e, settings);
    expect(verdicts.regressions).toBe(1);
    expect(verdicts.verdicts.map((v) => [v.path, v.verdict])).toEqual([
      ['$.price', 'regression'],
      ['$.ts', 'noise'],
    ]);
    expect(newlyFlagged).toHaveLength(1);
    expect(verdicts.maxExcessDiffRate).toBeGreaterThan(0.005);
    expect(verdicts.hypotheses).toBe(100);
  });

  it('shows a clean candidate equivalent once enough pairs agree, and never while counts overflowed', () => {
    const clean = { [PATH_FIELDS.pairs(EP)]: '20000', [PATH_FIELDS.both(EP, '$.ts')]: '20000' };
    expect(judgeRollupPaths(pathEvidenceOf(clean, {}), settings).verdicts.maxExcessDiffRate).toBeLessThan(0.001);
    expect(judgeRollupPaths(pathEvidenceOf({ ...clean, [PATH_FIELDS.overflow]: '1' }, {}), settings).verdicts.maxExcessDiffRate).toBe(1);
  });
});
