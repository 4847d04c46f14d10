import { type ChaosResult } from './chaos-result';
import { type CaseResult } from './ledger';
import { evaluate, renderReport } from './report';

const caseOf = (over: Partial<CaseResult>): CaseResult => ({
  caseId: 'c1',
  topic: 'metrics',
  kind: 'non-json',
  probe: false,
  outcome: 'dead-lettered',
  deadLetters: 1,
  reasons: ['json: not JSON'],
  committedBy: ['g'],
  lagging: [],
  ...over,
});

const healthy: ChaosResult = {
  experimentId: 'e',
  topicPrefix: 'p.',
  keyPrefix: 'k:',
  faults: [{ fault: 'SIGKILL comparator', outcome: 'restarted', ok: true }],
  cases: [caseOf({}), caseOf({ caseId: 'probe-c1', probe: true, outcome: 'processed', deadLetters: 0, reasons: [] })],
  decision: 'promoted',
  expectedDecision: 'promoted',
  coverage: { captured: 1000, mirrored: 995 },
  aggregates: { counted: 995, distinctPairs: 995 },
  audit: { ok: true, detail: '' },
  fleet: { ready: true, detail: 'ready' },
  lagging: [],
  seconds: 100,
};

const failing = (r: ChaosResult) =>
  evaluate(r)
    .filter((c) => !c.ok)
    .map((c) => c.name);

describe('evaluate', () => {
  it('passes a run where everything held', () => {
    expect(failing(healthy)).toEqual([]);
  });

  it('fails on a silent drop, an unprocessed probe, low coverage, a double count, a wrong decision or a broken chain', () => {
    expect(failing({ ...healthy, cases: [caseOf({ outcome: 'SILENT DROP', deadLetters: 0 }), healthy.cases[1]!] })).toEqual(['no-silent-drops']);
    expect(failing({ ...healthy, cases: [healthy.cases[0]!, caseOf({ caseId: 'probe-c1', probe: true, outcome: 'not consumed yet' })] })).toEqual(['probes']);
    expect(failing({ ...healthy, coverage: { captured: 1000, mirrored: 989 } })).toEqual(['coverage']);
    const short = evaluate({ ...healthy, coverage: { captured: 1000, mirrored: 989, skipped: { overload: 11, 'rate-limit': 0 } } });
    expect(short.find((c) => c.name === 'coverage')?.detail).toMatch(/the mirror skipped 11 as overload$/);
    expect(failing({ ...healthy, aggregates: { counted: 996, distinctPairs: 995 } })).toEqual(['aggregates']);
    expect(failing({ ...healthy, decision: 'rolled_back' })).toEqual(['decision']);
    expect(failing({ ...healthy, audit: { ok: false, detail: 'broken at #3' } })).toEqual(['audit']);
    expect(failing({ ...healthy, faults: [{ fault: 'SIGKILL sentinel', outcome: 'not ready after 300 s', ok: false }] })).toEqual(['faults']);
  });

  it('prints a row per hostile input with its probe, and marks a failing check', () => {
    const r = { ...healthy, decision: 'rolled_back' };
    const lines = renderReport(r, evaluate(r));
    expect(lines.find((l) => l.startsWith('metrics'))).toMatch(/non-json\s+dead-lettered\s+1\s+json: not JSON\s+yes/);
    expect(lines.find((l) => l.startsWith('decision'))).toMatch(/^decision\s+FAIL\s/);
  });
});
