import { credentialPolicy } from '@penumbra/credentials';
import { initialSliceState } from '@penumbra/policy-core';
import { reportWithoutCredentials } from './report-credentials';
import { type ReportData, verdictOf } from './report-data';
import { renderHtml, renderMarkdown } from './report-render';
import { type ExperimentStatus, progressBar, renderStatus } from './status';

const T0 = 1_800_000_000_000;

const status = (over: Partial<ReturnType<typeof initialSliceState>> = {}): ExperimentStatus => ({
  experimentId: 'shop',
  slices: [
    {
      slice: '*',
      stage: 'canary',
      mode: 'live',
      weight: 10,
      state: {
        ...initialSliceState(T0),
        stageIndex: 1,
        version: 3,
        lastVerdict: {
          at: T0 + 5000,
          summary: 'need more data: 120 of at least 300 samples, about 180 more',
          samples: 120,
          minSamples: 300,
          bakedMs: 5000,
          bakeMs: 10000,
          gates: [
            {
              gate: 'matchRate >= 0.95 @0.95',
              kind: 'promotion',
              metric: 'matchRate',
              op: '>=',
              threshold: 0.95,
              value: 0.99,
              bound: 0.93,
              confidence: 0.95,
              verdict: 'need-more-data',
              neededSamples: 180,
            },
          ],
        },
        ...over,
      },
    },
  ],
});

const report: ReportData = {
  experimentId: 'shop',
  description: 'new <pricing>',
  generatedAt: T0,
  range: { from: T0 - 60_000, to: T0 },
  verdict: { decision: 'rolled_back', stage: 'canary', summary: 'rolled back: rollback trigger "matchRate < 0.9" fired' },
  counts: { pairs: 400, match: 300, mismatch: 100, candidateErrors: 0, primaryErrors: 0, statusMismatches: 0, timeouts: 0 },
  matchRate: 0.75,
  latency: [
    { side: 'primary', count: 400, p50: 10, p90: 12, p99: 14 },
    { side: 'candidate', count: 400, p50: 11, p90: 13, p99: 15 },
  ],
  topDifferences: [{ endpoint: 'GET /orders/:id', path: '$.total', count: 100, examples: [{ pairId: 'shop:t1', primary: '10.5', candidate: '11.55' }] }],
  series: [
    { start: T0 - 20_000, pairs: 200, matchRate: 0.8 },
    { start: T0 - 10_000, pairs: 200, matchRate: 0.7 },
  ],
  decisions: [{ at: T0 - 5000, action: 'rollback', from: 'canary', to: 'shadow', slice: '*', actor: 'sentinel:sentinel', reason: 'rollback trigger fired', dryRun: false }],
  audit: { records: 3, verified: true, timeline: [{ at: T0 - 5000, seq: 3, actor: 'sentinel:sentinel', eventType: 'command.v1', summary: 'rollback canary → shadow' }] },
};

describe('status view', () => {
  it('shows the stage, progress toward samples and bake time, each gate and why it is not promoted', () => {
    const text = renderStatus(status(), T0 + 7000).join('\n');
    expect(text).toMatch(/shop: running, stage "canary" \(live, 10% weight\), state v3/);
    expect(text).toMatch(/samples \[#{10}\.{14}\] 40% 120\/300/);
    expect(text).toMatch(/bake {4}\[#{12}\.{12}\] 50% 5s\/10s/);
    expect(text).toMatch(/wait gate matchRate >= 0.95 @0.95: 0.9900, bound 0.9300, ~180 more samples/);
    expect(text).toMatch(/why: need more data: 120 of at least 300 samples/);
  });

  it('shows the mirror coverage when the sentinel had the counts', () => {
    const base = status();
    const slice = base.slices[0]!;
    const withCoverage = { ...base, slices: [{ ...slice, state: { ...slice.state, lastVerdict: { ...slice.state.lastVerdict!, coverage: 0.9812 } } }] };
    expect(renderStatus(withCoverage, T0 + 7000).join('\n')).toMatch(/coverage 98\.12% of the captured requests in the target mirrored/);
    expect(renderStatus(base, T0 + 7000).join('\n')).not.toMatch(/coverage/);
  });

  it('says when the sentinel has not looked yet', () => {
    expect(renderStatus({ experimentId: 'x', slices: [] }, T0)).toEqual(['x: the sentinel has not evaluated it yet (no aggregates, or the sentinel is not running)']);
    expect(progressBar(5, 0, 4)).toBe('[####] 100%');
  });

  it('derives the verdict from the slices', () => {
    expect(verdictOf(status({ status: 'cooldown' })).decision).toBe('rolled_back');
    expect(verdictOf(status({ status: 'promoted' }))).toMatchObject({ decision: 'promoted', stage: 'promoted' });
    expect(verdictOf(undefined).decision).toBe('in_progress');
  });
});

describe('report rendering', () => {
  it('renders markdown with the verdict, evidence, differences with values, decisions and audit', () => {
    const md = renderMarkdown(report);
    expect(md).toMatch(/\*\*Verdict: ROLLED BACK\*\* \(stage canary\)/);
    expect(md).toMatch(/\| 400 \| 75\.00% \| 100 \|/);
    expect(md).toMatch(/\| GET \/orders\/:id \| `\$\.total` \| 100 \| 10\.5 → 11\.55 \(shop:t1\) \|/);
    expect(md).toMatch(/hash chain verified/);
  });

  it('renders a self-contained HTML page with escaped text and SVG charts', () => {
    const html = renderHtml(report);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('new &lt;pricing&gt;');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toMatch(/<path d="M48\.0,[\d.]+ L508\.0,[\d.]+"/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});

describe('reports and credentials', () => {
  it('shows credential header examples and URL secrets only as hashes, in markdown and HTML', () => {
    const policy = credentialPolicy({ hashKey: 'k' });
    const leaky: ReportData = {
      ...report,
      topDifferences: [
        { endpoint: 'GET /login', path: 'header:set-cookie', count: 3, examples: [{ pairId: 'shop:t2', primary: 'sid=md-secret', candidate: 'sid=other-secret' }] },
        { endpoint: 'GET /next', path: '$.next', count: 1, examples: [{ pairId: 'shop:t3', primary: 'https://u:pw-secret@h/?access_token=tok-secret' }] },
      ],
    };
    const clean = reportWithoutCredentials(leaky, policy);
    for (const out of [renderMarkdown(clean), renderHtml(clean)]) {
      for (const secret of ['md-secret', 'other-secret', 'pw-secret', 'tok-secret']) expect(out).not.toContain(secret);
      expect(out).toContain(policy.hash('sid=md-secret'));
    }
    expect(clean.topDifferences[0]?.count).toBe(3);
  });
});
