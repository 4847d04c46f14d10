import { type PathVerdicts } from '@penumbra/contracts';
import { diffRows, excessText, verdictSummary, verdictText } from './path-verdicts-view';

const verdicts: PathVerdicts = {
  fdr: 0.05,
  delta: 0.001,
  alpha: 0.05,
  hypotheses: 1000,
  maxExcessDiffRate: 0.0123,
  regressions: 1,
  noise: 1,
  undecided: 1,
  overflow: 0,
  omitted: 0,
  verdicts: [
    {
      endpoint: 'GET /a',
      path: '$.price',
      verdict: 'regression',
      counts: { n: 5000, candidateOnly: 40, secondaryOnly: 0, both: 0 },
      excess: { estimate: 0.008, lower: 0.004, upper: 0.0123 },
      logEValue: 12,
    },
    {
      endpoint: 'GET /a',
      path: '$.eta',
      verdict: 'undecided',
      counts: { n: 5000, candidateOnly: 3, secondaryOnly: 1, both: 0 },
      excess: { estimate: 0.0004, lower: -0.001, upper: 0.002 },
      morePairs: 9000,
    },
    {
      endpoint: 'GET /a',
      path: '$.ts',
      verdict: 'noise',
      counts: { n: 5000, candidateOnly: 0, secondaryOnly: 0, both: 5000 },
      excess: { estimate: 0, lower: -0.0006, upper: 0.0006 },
    },
  ],
};

describe('diffRows', () => {
  it('gives every differing path and every judged path one row, regressions first', () => {
    const rows = diffRows(
      {
        counts: {
          pairs: 200,
          match: 100,
          mismatch: 100,
          candidateErrors: 0,
          primaryErrors: 0,
          bothErrors: 0,
          secondaryErrors: 0,
          statusMismatches: 0,
          timeouts: 0,
          tooLarge: 0,
          unknown: 0,
        },
        topPaths: [
          { endpoint: 'GET /b', path: '$.solo', count: 60, examples: ['p1'], samples: [{ pairId: 'p1', primary: '1', candidate: '2' }] },
          { endpoint: 'GET /a', path: '$.price', count: 20, examples: [], samples: [] },
        ],
      },
      verdicts,
    );
    expect(rows.map((r) => [r.path, r.verdict, r.pairs])).toEqual([
      ['$.price', 'regression', 20],
      ['$.eta', 'undecided', 0],
      ['$.solo', 'no secondary', 60],
      ['$.ts', 'noise', 0],
    ]);
    expect(rows[2]?.share).toBeCloseTo(0.3);
    expect(verdictText(rows[1] as (typeof rows)[number])).toBe('undecided (~9000 more pairs)');
    expect(excessText(rows[0]?.excess)).toBe('+0.80% [+0.40%, +1.23%]');
  });

  it('summarises the verdicts, and says when overflow keeps equivalence from being shown', () => {
    expect(verdictSummary(verdicts)).toMatch(/1 regression\(s\), 1 undecided, 1 noise; largest excess at most 1\.23% \(95\.00% confidence\)/);
    expect(verdictSummary({ ...verdicts, overflow: 3 })).toMatch(/no equivalence is shown/);
  });
});
