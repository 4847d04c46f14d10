import { CASE_HEADER, hostileCorpus, kindsFor } from './hostile-corpus';
import { admitted, classify } from './ledger';
import { ATTACKED, type RecordContext } from './records';

const copied: RecordContext['copied'] = {
  traffic: { type: 'traffic.v1', id: 't1', service: 'shop' },
  pairs: { type: 'pair.v1', id: 'e:t1', experimentId: 'e', trafficId: 't1' },
  diffs: { type: 'diff.v1', id: 'e:t1', experimentId: 'e' },
  aggregates: { type: 'aggregate.v1', id: 'a1', experimentId: 'e' },
  experiments: { spec: { id: 'probe-exp' } },
};
const ctx: RecordContext = { probeExperiment: 'probe-exp', probeService: 'chaos-probe', now: 1_763_776_800_000, copied };

describe('hostileCorpus', () => {
  const all = ATTACKED.flatMap((t) => hostileCorpus(t, 'run', ctx, false));

  it('follows every hostile input with a probe, and tags every record with a unique case id', () => {
    for (const topic of ATTACKED) {
      const corpus = all.filter((r) => r.topic === topic);
      expect(corpus.filter((r) => r.probe && !r.caseId.endsWith('-response'))).toHaveLength(kindsFor(topic, false).length);
      expect(corpus[corpus.length - 1]?.probe).toBe(true);
    }
    const ids = all.map((r) => r.headers[CASE_HEADER]);
    expect(new Set(ids).size).toBe(all.length);
    expect(ids).toEqual(all.map((r) => r.caseId));
  });

  it('makes each GoReplay probe a whole exchange: its response half, same id, key and batch, right after the request', () => {
    const goreplay = all.filter((r) => r.topic === 'goreplay');
    const requests = goreplay.filter((r) => r.probe && !r.caseId.endsWith('-response'));
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) {
      const response = goreplay[goreplay.indexOf(request) + 1]!;
      expect(response.caseId).toBe(`${request.caseId}-response`);
      expect([response.key, response.batch]).toEqual([request.key, request.batch]);
      const [req, res] = [request, response].map((r) => JSON.parse(r.value.toString()) as Record<string, string>);
      expect([req!['Req_Type'], res!['Req_Type'], res!['Req_ID']]).toEqual(['1', '2', req!['Req_ID']]);
      expect(admitted('goreplay', response.value)).toBe(true);
    }
  });

  it('holds the extremes it promises', () => {
    const of = (topic: string, kind: string) => all.filter((r) => r.topic === topic && r.kind === kind && !r.probe);
    expect(of('traffic', 'string-5mb')[0]!.value.length).toBeGreaterThan(5 * 1024 * 1024);
    expect(of('traffic', 'nested-100k')[0]!.value.toString()).toMatch(/^\[{100000}\]{100000}$/);
    expect(Object.keys(of('metrics', 'headers-10k')[0]!.headers)).toHaveLength(10_001);
    expect(of('pairs', 'id-900kb')[0]!.value.length).toBeGreaterThan(900 * 1024);
    const control = of('control', 'control-450kb-x2');
    expect(control).toHaveLength(2);
    expect(new Set(control.map((r) => r.batch)).size).toBe(1);
    expect(control.every((r) => r.value.length > 450 * 1024 && !admitted('control', r.value))).toBe(true);
    expect(JSON.parse(of('metrics', 'metric-1.5e308')[0]!.value.toString()).value).toBe(1.5e308);
    expect(of('alerts', 'alert-nested-20kb')[0]!.value.length).toBeGreaterThan(20_000);
    expect(of('traffic', 'invalid-utf8')[0]!.value.includes(Buffer.from([0xff, 0xfe]))).toBe(true);
  });

  it('writes probes the consumers admit on every topic it builds records for', () => {
    for (const r of all.filter((x) => x.probe && !['traffic', 'pairs', 'diffs', 'aggregates', 'experiments'].includes(x.topic))) {
      expect({ caseId: r.caseId, admitted: admitted(r.topic, r.value) }).toEqual({ caseId: r.caseId, admitted: true });
    }
  });

  it('keeps one record per failure class in the short variant', () => {
    expect(kindsFor('control', true)).toContain('control-450kb-x2');
    expect(kindsFor('control', true)).not.toContain('wrong-schema');
    expect(kindsFor('traffic', false)).not.toContain('metric-1.5e308');
  });
});

describe('classify', () => {
  const bad = hostileCorpus('metrics', 'run', ctx, true).find((r) => r.kind === 'non-json')!;
  const at = { ...bad, partition: 0, offset: '5' };
  const committedPast = new Map([['g', new Map([[0, 6n]])]]);

  it('calls an inadmissible record behind a commit with no dead letter a silent drop', () => {
    expect(classify(at, 'm', new Map(), committedPast).outcome).toBe('SILENT DROP');
  });

  it('counts its dead letters by source topic, partition and offset', () => {
    const letter = {
      type: 'dead-letter.v1',
      id: 'm:0:5',
      ts: 1,
      source: { topic: 'm', partition: 0, offset: '5' },
      consumerGroup: 'g',
      errorClass: 'json',
      reason: 'not JSON',
    } as const;
    const r = classify(at, 'm', new Map([['m:0:5', [{ ...letter, key: null, value: null, truncated: false, minimal: false, headers: {} }]]]), committedPast);
    expect(r).toMatchObject({ outcome: 'dead-lettered', deadLetters: 1, reasons: ['json: not JSON'] });
  });

  it('accepts an invalid record the audit-sink audited as invalid with a reason instead of dead-lettering it', () => {
    expect(classify(at, 'm', new Map(), committedPast, new Map([['m:0:5', ['value is not JSON']]]))).toMatchObject({
      outcome: 'audited as invalid',
      reasons: ['audit: value is not JSON'],
    });
  });

  it('does not judge a record no group has committed past yet', () => {
    expect(classify(at, 'm', new Map(), new Map([['g', new Map([[0, 5n]])]]))).toMatchObject({ outcome: 'not consumed yet', lagging: ['g'] });
  });
});
