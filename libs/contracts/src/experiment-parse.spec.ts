import { ExperimentSpecError, parseExperimentSpec } from './experiment-parse';

const MINIMAL = `
id: search-ranker
target:
  service: search
shadow:
  candidate:
    baseUrl: http://127.0.0.1:8081
policy:
  stages:
    - name: shadow
      mode: observe
      gates:
        - matchRate >= 0.99
        - metric: precision.last
          op: ">="
          threshold: 0.98
`;

const REPLAY_FIRST = `
id: search-ranker
target:
  service: search
shadow:
  candidate:
    baseUrl: http://127.0.0.1:8081
  secondary:
    baseUrl: http://127.0.0.1:8082
policy:
  stages:
    - name: retained
      kind: replay
      weight: 0
    - name: canary
      weight: 10
`;

function issuesOf(text: string): string[] {
  try {
    parseExperimentSpec(text, 'test.yaml');
  } catch (err) {
    if (err instanceof ExperimentSpecError) return err.issues.map((i) => i.field);
    throw err;
  }
  throw new Error('expected the spec to be rejected');
}

describe('parseExperimentSpec', () => {
  it('fills every default of a minimal YAML spec', () => {
    const spec = parseExperimentSpec(MINIMAL);
    expect(spec.shadow.allowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(spec.shadow.sampleRate).toBe(1);
    expect(spec.shadow.samplingKey).toEqual({ source: 'traffic-id' });
    expect(spec.shadow.headers).toEqual({ forward: [], drop: [], add: {} });
    expect(spec.shadow.onOverload).toBe('skip');
    expect(spec.compare.noise).toEqual({ method: 'threshold', relativeThreshold: 0.2, absoluteThreshold: 0.0003, suppressSuspectedVolatile: false });
    expect(spec.compare.verdicts).toEqual({ fdr: 0.05, delta: 0.001, alpha: 0.05, maxPaths: 1000 });
    expect(spec.slices).toEqual({ attributes: [], decidePerSlice: false });
    expect(spec.policy.circuitBreaker).toEqual({ maxPromotions: 3, windowSec: 3600, per: 'slice', fleet: { maxPromotions: 20, windowSec: 3600 } });
    expect(spec.policy.stricterAfterRollback).toEqual({ samplesFactor: 2, bakeFactor: 2 });
    expect(spec.policy.onRollback).toBe('back-to-shadow');
    expect(spec.target.methods).toEqual([]);
  });

  it('expands gate shorthand into metric, op and threshold', () => {
    const gates = parseExperimentSpec(MINIMAL).policy.stages[0]!.gates;
    expect(gates[0]).toEqual({ metric: 'matchRate', op: '>=', threshold: 0.99 });
    expect(gates[1]).toEqual({ metric: 'precision.last', op: '>=', threshold: 0.98 });
  });

  it('reads JSON as well as YAML', () => {
    const json = JSON.stringify({ id: 'a', target: { service: 's' }, shadow: { candidate: { baseUrl: 'https://c.example' } }, policy: { stages: [{ name: 'only' }] } });
    expect(parseExperimentSpec(json).policy.stages[0]!.mode).toBe('live');
  });

  it('lower-cases header names in rules', () => {
    const spec = parseExperimentSpec(MINIMAL.replace('shadow:\n  candidate', 'shadow:\n  headers:\n    forward: [Authorization]\n  candidate'));
    expect(spec.shadow.headers.forward).toEqual(['authorization']);
  });

  it('names the field of each problem, all at once', () => {
    const bad = MINIMAL.replace('baseUrl: http://127.0.0.1:8081', 'baseUrl: ftp://x\n  sampleRate: 2').replace('mode: observe', 'mode: sometimes');
    expect(issuesOf(bad).sort()).toEqual(['policy.stages[0].mode', 'shadow.candidate.baseUrl', 'shadow.sampleRate']);
  });

  it('rejects a base URL with a query, which the mirror could not append a path to', () => {
    expect(issuesOf(MINIMAL.replace('8081', '8081/?next=evil'))).toEqual(['shadow.candidate.baseUrl']);
  });

  it('reads a replay stage, which decides on retained traffic before any live stage', () => {
    const spec = parseExperimentSpec(REPLAY_FIRST);
    expect(spec.policy.stages.map((s) => s.kind)).toEqual(['replay', 'live']);
    expect(parseExperimentSpec(MINIMAL).policy.stages[0]!.kind).toBe('live');
  });

  it('refuses a replay stage after a live one, one that serves traffic, and one without a secondary', () => {
    const swapped = REPLAY_FIRST.replace('- name: retained\n      kind: replay', '- name: retained\n      kind: live').replace(
      '- name: canary',
      '- name: canary\n      kind: replay',
    );
    expect(issuesOf(swapped)).toEqual(['policy.stages[1].kind', 'policy.stages[1].weight']);
    expect(issuesOf(REPLAY_FIRST.replace('weight: 0', 'weight: 5'))).toEqual(['policy.stages[0].weight']);
    expect(issuesOf(REPLAY_FIRST.replace(/ {2}secondary:\n {4}baseUrl: \S+\n/, ''))).toEqual(['policy.stages[0].kind']);
  });

  it('requires slice attributes for per-slice decisions', () => {
    expect(issuesOf(`${MINIMAL}slices:\n  decidePerSlice: true\n`)).toEqual(['slices.decidePerSlice']);
  });

  it('reports YAML syntax errors and duplicate keys as document problems', () => {
    expect(issuesOf('id: a\nid: b\n')).toEqual(['(document)']);
    expect(issuesOf('id: [unclosed\n')).toContain('(document)');
  });

  it('says what a custom gate metric must look like', () => {
    try {
      parseExperimentSpec(MINIMAL.replace('precision.last', 'precision.median'));
      throw new Error('accepted');
    } catch (err) {
      expect(String(err)).toMatch(/policy\.stages\[0\]\.gates\[1\]\.metric: must be one of .*precision\.last/);
    }
  });

  it('refuses a confidence on an equality gate, and says why (issue 16, bug 1)', () => {
    const text = MINIMAL.replace('- matchRate >= 0.99', '- { metric: candidateErrorRate, op: "==", threshold: 0, confidence: 0.99 }');
    expect(issuesOf(text)).toEqual(['policy.stages[0].gates[0].confidence']);
    expect(() => parseExperimentSpec(text)).toThrow(/needs an ordering .*no finite sample shows a rate to equal 0 exactly/);
    expect(issuesOf(text.replace('"=="', '"!="'))).toEqual(['policy.stages[0].gates[0].confidence']);
  });

  it('refuses a confidence on a metric that is not a rate, naming the metric (issue 16, bug 2)', () => {
    for (const metric of ['latencyP99Ratio', 'errorRateDelta', 'precision.mean']) {
      const text = MINIMAL.replace('- matchRate >= 0.99', `- { metric: ${metric}, op: "<=", threshold: 1.2, confidence: 0.95 }`);
      expect(issuesOf(text)).toEqual(['policy.stages[0].gates[0].confidence']);
      expect(() => parseExperimentSpec(text)).toThrow(new RegExp(`${metric.replace('.', '\\.')} is not a rate counted per pair`));
    }
    expect(
      parseExperimentSpec(MINIMAL.replace('- matchRate >= 0.99', '- { metric: matchRate, op: ">=", threshold: 0.95, confidence: 0.95 }')).policy.stages[0]!.gates[0],
    ).toMatchObject({
      confidence: 0.95,
    });
  });

  it('refuses a document that expands aliases without bound', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    expect(() => parseExperimentSpec(bomb)).toThrow();
  });
});
