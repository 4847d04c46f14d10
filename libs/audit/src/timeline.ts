import { type AuditRecord, ackSchema, alertSchema, commandSchema, controlRequestSchema, deadLetterSchema, experimentRecordSchema } from '@penumbra/contracts';

const MAX_TEXT = 300;
const clip = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);
const num = (v: number | null | undefined) => (v === null || v === undefined ? '-' : Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));

/** One line: what happened and why, with the evidence of a command. */
export function summarize(record: AuditRecord): string {
  const e = record.event;
  switch (record.eventType) {
    case 'experiment.v1': {
      const p = experimentRecordSchema.safeParse(e);
      if (!p.success) break;
      if (p.data.halted) return `halted the experiment (mirroring stops): ${clip(p.data.halted.reason)}`;
      const stages = p.data.spec.policy.stages.map((s) => s.name).join(' → ');
      return `published the experiment (target ${p.data.spec.target.service}, stages ${stages}${p.data.spec.compare.redact.length > 0 ? `, redacts ${p.data.spec.compare.redact.join(' ')}` : ''})`;
    }
    case 'experiment.deleted':
      return 'deleted the experiment';
    case 'control.v1': {
      const p = controlRequestSchema.safeParse(e);
      if (!p.success) break;
      const c = p.data;
      const signed = c.signature ? `signed ${c.signature.alg} by key ${c.signature.keyId}` : 'unsigned';
      return clip(`requested ${c.action}${c.slice ? ` of slice ${c.slice}` : ''}${c.role ? ` as ${c.role}` : ''} (${signed}): ${c.reason}`);
    }
    case 'command.v1': {
      const p = commandSchema.safeParse(e);
      if (!p.success) break;
      const c = p.data;
      const ev = c.evidence;
      const gates = ev.gates.map((g) => `${g.gate} = ${num(g.value)}${g.bound !== null ? ` (bound ${num(g.bound)})` : ''} ${g.verdict}`).join('; ');
      return clip(
        `${c.action}${c.dryRun ? ' (dry run)' : ''} ${c.fromStage} → ${c.toStage} at ${c.targetWeight}%${c.slice ? ` for slice ${c.slice}` : ''}: ${c.reason} | evidence: ${ev.samples} samples, baked ${Math.round(ev.bakedMs / 1000)} s, policy ${ev.policyHash.slice(0, 12)}${gates ? `; ${gates}` : ''}`,
      );
    }
    case 'ack.v1': {
      const p = ackSchema.safeParse(e);
      if (!p.success) break;
      return clip(`${p.data.result} command ${p.data.commandId}${p.data.reason ? `: ${p.data.reason}` : ''}`);
    }
    case 'alert.v1': {
      const p = alertSchema.safeParse(e);
      if (!p.success) break;
      return clip(`${p.data.severity} ${p.data.kind}: ${p.data.message}`);
    }
    case 'dead-letter.v1': {
      const p = deadLetterSchema.safeParse(e);
      if (!p.success) break;
      const s = p.data.source;
      return clip(`dead letter from ${s.topic}:${s.partition}:${s.offset} (${p.data.errorClass}): ${p.data.reason}`);
    }
    case 'invalid': {
      const reason = e !== null && typeof e === 'object' ? (e as Record<string, unknown>)['reason'] : undefined;
      return clip(`invalid record on ${record.source.topic}: ${typeof reason === 'string' ? reason : 'unreadable'}`);
    }
    default:
      break;
  }
  return `${record.eventType} event`;
}

export interface TimelineEntry {
  seq: number;
  ts: number;
  time: string;
  eventType: string;
  actor: string;
  summary: string;
  source: string;
  id: string;
  hash: string;
}

export function timelineEntries(records: readonly AuditRecord[]): TimelineEntry[] {
  return records.map((r) => ({
    seq: r.seq,
    ts: r.ts,
    time: new Date(r.ts).toISOString(),
    eventType: r.eventType,
    actor: r.actor,
    summary: summarize(r),
    source: `${r.source.topic}:${r.source.partition}:${r.source.offset}`,
    id: r.id,
    hash: r.hash,
  }));
}

/** The history as the CLI's --json and the service's GET /audit/:experimentId give it. */
export function historyJson(
  experimentId: string,
  records: readonly AuditRecord[],
): { experimentId: string; count: number; timeline: TimelineEntry[]; records: readonly AuditRecord[] } {
  return { experimentId, count: records.length, timeline: timelineEntries(records), records };
}

/** Readable lines, one per record: seq, time, who, what and why. */
export function formatTimeline(records: readonly AuditRecord[]): string[] {
  return timelineEntries(records).map((t) => `#${t.seq}  ${t.time}  ${t.actor}  ${t.eventType}  ${t.summary}`);
}
