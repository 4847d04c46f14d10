import { type Attacked, type RecordContext, goReplayResponse, validRecord } from './records';

export const CASE_HEADER = 'x-chaos-case';

export interface ChaosRecord {
  /** Unique in the run; the record carries it in its `x-chaos-case` header, so it can be found by offset later. */
  caseId: string;
  topic: Attacked;
  kind: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  /** Records with the same batch id are sent in one request, so they arrive in one fetched batch. */
  batch: string;
  probe: boolean;
}

export const HOSTILE_KINDS = [
  'invalid-utf8',
  'non-json',
  'wrong-schema',
  'nested-100k',
  'proto-keys',
  'string-5mb',
  'number-1e400',
  'id-special-chars',
  'headers-10k',
  'id-900kb',
  'ts-2^53',
  'alert-nested-20kb',
  'control-450kb-x2',
  'metric-1.5e308',
] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

const SPECIFIC: Partial<Record<HostileKind, Attacked>> = { 'alert-nested-20kb': 'alerts', 'control-450kb-x2': 'control', 'metric-1.5e308': 'metrics' };

/** The kinds that apply to a topic: every generic one, and those aimed at it alone. */
export function kindsFor(topic: Attacked, short: boolean): HostileKind[] {
  const all = HOSTILE_KINDS.filter((k) => SPECIFIC[k] === undefined || SPECIFIC[k] === topic);
  // The short variant keeps one record per failure class plus every size and nesting extreme.
  return short ? all.filter((k) => k !== 'wrong-schema' && k !== 'number-1e400') : all;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const nestedObject = (depth: number, leaf: string) => `${'{"a":'.repeat(depth)}"${leaf}"${'}'.repeat(depth)}`;

function keyOf(topic: Attacked, record: Record<string, unknown>, caseId: string): string {
  const id = record['id'];
  if ((topic === 'traffic' || topic === 'pairs' || topic === 'diffs') && typeof id === 'string' && id.length <= 512) return id;
  const exp = record['experimentId'];
  return typeof exp === 'string' ? exp : caseId;
}

function hostileValues(
  kind: HostileKind,
  topic: Attacked,
  caseId: string,
  c: RecordContext,
): Array<{ value: Buffer; headers?: Record<string, string>; record?: Record<string, unknown> }> {
  const valid = (id: string) => validRecord(topic, id, c, true);
  switch (kind) {
    case 'invalid-utf8':
      return [{ value: Buffer.concat([Buffer.from('{"type":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xed, 0xa0, 0x80]), Buffer.from('"}')]) }];
    case 'non-json':
      return [{ value: Buffer.from(`this is not JSON {"id": ${caseId}`) }];
    case 'wrong-schema':
      return [{ value: json({ type: `${topic}.v9`, id: caseId, ts: 'yesterday', experimentId: 'NOT AN ID' }) }];
    case 'nested-100k':
      return [{ value: Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) }];
    case 'proto-keys': {
      const record = valid(caseId);
      const text = JSON.stringify(record).replace(/^\{/, '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},');
      return [{ value: Buffer.from(text), record }];
    }
    case 'string-5mb': {
      const record = { ...valid(caseId), note: 'x'.repeat(5 * 1024 * 1024) };
      return [{ value: json(record), record }];
    }
    case 'number-1e400': {
      const record = valid(caseId);
      return [{ value: Buffer.from(JSON.stringify(record).replace(/\}$/, ',"ts":1e400}')), record }];
    }
    case 'id-special-chars': {
      const record = valid(`${caseId} * : { } with spaces`);
      return [{ value: json(record), record }];
    }
    case 'headers-10k': {
      const record = valid(caseId);
      const headers = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`x-h${i}`, `v${i}`]));
      return [{ value: json(record), headers, record }];
    }
    case 'id-900kb': {
      const record = valid(`${caseId}-${'i'.repeat(900 * 1024)}`);
      return [{ value: json(record), record }];
    }
    case 'ts-2^53': {
      const record = topic === 'goreplay' ? { ...valid(caseId), Req_Ts: String(2 ** 53) } : { ...valid(caseId), ts: 2 ** 53 };
      return [{ value: json(record), record }];
    }
    case 'alert-nested-20kb': {
      const record = valid(caseId);
      return [{ value: Buffer.from(JSON.stringify(record).replace(/\}$/, `,"details":${nestedObject(4_000, 'deep')}}`)), record }];
    }
    case 'control-450kb-x2':
      return [0, 1].map((i) => {
        const record = { ...valid(`${caseId}-${i}`), reason: 'r'.repeat(450 * 1024) };
        return { value: json(record), record };
      });
    case 'metric-1.5e308': {
      const record = { ...valid(caseId), value: 1.5e308 };
      return [{ value: json(record), record }];
    }
  }
}

/**
 * The hostile records for one topic, each followed by a valid probe that must be processed: a copy of
 * the fleet's own output where the topic carries it (a redelivered duplicate), else a fresh record
 * of the probe experiment.
 */
export function hostileCorpus(topic: Attacked, runTag: string, c: RecordContext, short: boolean): ChaosRecord[] {
  const out: ChaosRecord[] = [];
  for (const kind of kindsFor(topic, short)) {
    const caseId = `chaos-${runTag}-${topic}-${kind.replace(/[^a-z0-9-]/g, '')}`;
    const values = hostileValues(kind, topic, caseId, c);
    values.forEach((v, i) => {
      const id = values.length > 1 ? `${caseId}-${i}` : caseId;
      out.push({
        caseId: id,
        topic,
        kind,
        key: v.record ? keyOf(topic, v.record, id) : id,
        value: v.value,
        headers: { ...v.headers, [CASE_HEADER]: id },
        batch: caseId,
        probe: false,
      });
    });
    const probeId = `probe-${caseId}`;
    const probe = validRecord(topic, probeId, c, !['traffic', 'pairs', 'diffs', 'aggregates'].includes(topic));
    out.push({ caseId: probeId, topic, kind, key: keyOf(topic, probe, probeId), value: json(probe), headers: { [CASE_HEADER]: probeId }, batch: probeId, probe: true });
    if (topic === 'goreplay') {
      const responseId = `${probeId}-response`;
      const response = goReplayResponse(probeId, c);
      out.push({ caseId: responseId, topic, kind, key: keyOf(topic, probe, probeId), value: json(response), headers: { [CASE_HEADER]: responseId }, batch: probeId, probe: true });
    }
  }
  return out;
}
