import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type z } from 'zod';
import { aggregateSnapshotSchema } from './aggregate';
import { alertSchema } from './alert';
import { auditRecordSchema } from './audit';
import { ackSchema, commandSchema } from './command';
import { controlRequestSchema } from './control';
import { deadLetterSchema } from './dead-letter';
import { diffEventSchema } from './diff';
import { experimentRecordSchema } from './experiment-record';
import { experimentSpecSchema } from './experiment-spec';
import { fieldIssues } from './issues';
import { metricObservationSchema } from './metric';
import { pairSchema } from './pair';
import { trafficRecordSchema } from './traffic';

interface InvalidCase {
  why: string;
  field: string;
  set: Array<string | number>;
  to: unknown;
}

const SCHEMAS: Record<string, z.ZodType> = {
  traffic: trafficRecordSchema,
  pair: pairSchema,
  diff: diffEventSchema,
  metric: metricObservationSchema,
  aggregate: aggregateSnapshotSchema,
  control: controlRequestSchema,
  command: commandSchema,
  ack: ackSchema,
  alert: alertSchema,
  audit: auditRecordSchema,
  'dead-letter': deadLetterSchema,
  'experiment-spec': experimentSpecSchema,
  'experiment-record': experimentRecordSchema,
};

const fixtures = join(__dirname, '..', 'fixtures');
const load = (name: string, file: string): unknown => JSON.parse(readFileSync(join(fixtures, name, file), 'utf8'));

function withChange(value: unknown, path: Array<string | number>, to: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  path.slice(0, -1).forEach((p) => {
    node = node[p] as Record<string | number, unknown>;
  });
  const last = path[path.length - 1]!;
  if (to === '<delete>') delete node[last];
  else node[last] = to;
  return copy;
}

describe.each(Object.entries(SCHEMAS))('golden fixtures: %s', (name, schema) => {
  const valid = load(name, 'valid.json');
  const invalid = load(name, 'invalid.json') as InvalidCase[];

  it('accepts the valid example, and its parsed form parses to itself', () => {
    const parsed = schema.safeParse(valid);
    expect(parsed.success ? [] : fieldIssues(parsed.error)).toEqual([]);
    expect(schema.parse(parsed.data)).toEqual(parsed.data);
    expect((parsed.data as { id: string }).id).toBe((valid as { id: string }).id);
  });

  it('has at least two invalid examples', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(2);
  });

  it.each(invalid.map((c) => [c.why, c] as const))('rejects: %s, naming the field', (_why, c) => {
    const parsed = schema.safeParse(withChange(valid, c.set, c.to));
    expect(parsed.success).toBe(false);
    const fields = parsed.success ? [] : fieldIssues(parsed.error).map((i) => i.field);
    expect(fields.some((f) => f === c.field || f.startsWith(`${c.field}.`) || f.startsWith(`${c.field}[`))).toBe(true);
  });
});
