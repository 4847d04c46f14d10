import { ALL_SLICES, type AuditRecord, type Command, type ExperimentRecord, type PathVerdicts, commandSchema } from '@penumbra/contracts';
import { summarize } from '@penumbra/audit';
import { type DifferenceExample, type WindowKeys, readAggregate, windowStartsBetween } from '@penumbra/aggregates';
import { type CredentialPolicy, credentialPolicy } from '@penumbra/credentials';
import { type RedisClient } from '@penumbra/redis';
import { readPathVerdicts } from './path-verdicts-view';
import { reportWithoutCredentials } from './report-credentials';
import { type ExperimentStatus } from './status';

export interface LatencyRow {
  side: 'primary' | 'secondary' | 'candidate';
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface ReportData {
  experimentId: string;
  description: string;
  generatedAt: number;
  range: { from: number; to: number };
  verdict: { decision: 'promoted' | 'rolled_back' | 'killed' | 'in_progress'; stage: string; summary: string };
  counts: { pairs: number; match: number; mismatch: number; candidateErrors: number; primaryErrors: number; statusMismatches: number; timeouts: number };
  matchRate: number | null;
  latency: LatencyRow[];
  topDifferences: Array<{ endpoint: string; path: string; count: number; examples: DifferenceExample[] }>;
  /** Every path's verdict since the experiment began (pairs with a secondary only). */
  pathVerdicts?: PathVerdicts;
  /** Match rate per window, for the chart. */
  series: Array<{ start: number; pairs: number; matchRate: number | null }>;
  decisions: Array<{ at: number; action: string; from: string; to: string; slice: string; actor: string; reason: string; dryRun: boolean }>;
  audit: { records: number; verified: boolean | null; timeline: Array<{ at: number; seq: number; actor: string; eventType: string; summary: string }> };
}

const MAX_SERIES = 240;

/** The verdict from the sentinel's state: the all-slices state, or the worst slice. */
export function verdictOf(status: ExperimentStatus | undefined): ReportData['verdict'] {
  const slices = status?.slices ?? [];
  if (status?.halted) return { decision: 'killed', stage: 'killed', summary: status.halted.reason };
  if (slices.length === 0) return { decision: 'in_progress', stage: '-', summary: 'no decision yet' };
  const rolledBack = slices.find((s) => s.state.status === 'cooldown' || s.state.status === 'stopped');
  const killed = slices.find((s) => s.state.status === 'killed');
  const pick = killed ?? rolledBack ?? slices[0];
  const decision = killed
    ? 'killed'
    : rolledBack
      ? 'rolled_back'
      : slices.every((s) => s.state.status === 'promoted' || s.state.status === 'watching')
        ? 'promoted'
        : 'in_progress';
  return {
    decision,
    stage: pick?.state.status === 'promoted' || pick?.state.status === 'watching' ? 'promoted' : (pick?.stage ?? '-'),
    summary: pick?.state.lastVerdict?.summary ?? pick?.state.status ?? '',
  };
}

export interface GatherInput {
  redis: RedisClient;
  windows: WindowKeys;
  record: ExperimentRecord;
  status: ExperimentStatus | undefined;
  audit: { records: readonly AuditRecord[]; verified: boolean | null };
  from: number;
  to: number;
  now: number;
  /** How credentials are hashed in what the report shows. @default the default policy, with a random key */
  credentials?: CredentialPolicy;
}

/** Everything a report shows, read from the aggregates, the sentinel's state and the audit. */
export async function gatherReport(input: GatherInput): Promise<ReportData> {
  const { redis, windows, record, from, to } = input;
  const id = record.experimentId;
  const merged = await readAggregate(redis, windows, id, '*', from, to);
  const c = merged.counts;
  const latency: LatencyRow[] = (['primary', 'secondary', 'candidate'] as const)
    .map((side) => {
      const h = merged.latency[side];
      return { side, count: h.count, p50: h.quantile(0.5) ?? null, p90: h.quantile(0.9) ?? null, p99: h.quantile(0.99) ?? null };
    })
    .filter((r) => r.count > 0);
  const starts = await windowStartsBetween(redis, windows, id, ALL_SLICES, from - (from % windows.windowMs), to);
  const series: ReportData['series'] = [];
  for (const start of starts.slice(-MAX_SERIES)) {
    const w = await readAggregate(redis, windows, id, '*', start, start + windows.windowMs, undefined, { topPaths: false });
    series.push({ start, pairs: w.counts.pairs, matchRate: w.counts.pairs === 0 ? null : w.counts.match / w.counts.pairs });
  }
  const commands = input.audit.records.flatMap((r): Command[] => {
    const parsed = commandSchema.safeParse(r.event);
    return r.eventType === 'command.v1' && parsed.success ? [parsed.data] : [];
  });
  const pathVerdicts = await readPathVerdicts(redis, windows, record, ALL_SLICES);
  const report: ReportData = {
    experimentId: id,
    description: record.spec.description,
    generatedAt: input.now,
    range: { from, to },
    verdict: verdictOf(input.status),
    counts: {
      pairs: c.pairs,
      match: c.match,
      mismatch: c.mismatch,
      candidateErrors: c.candidateErrors + c.bothErrors,
      primaryErrors: c.primaryErrors + c.bothErrors,
      statusMismatches: c.statusMismatches,
      timeouts: c.timeouts,
    },
    matchRate: c.pairs === 0 ? null : c.match / c.pairs,
    latency,
    topDifferences: merged.topPaths.slice(0, 10).map((p) => ({ endpoint: p.endpoint, path: p.path, count: p.count, examples: p.samples })),
    ...(pathVerdicts ? { pathVerdicts } : {}),
    series,
    decisions: commands.map((cmd) => ({
      at: cmd.ts,
      action: cmd.action,
      from: cmd.fromStage,
      to: cmd.toStage,
      slice: cmd.slice ?? '*',
      actor: `${cmd.actor.kind}:${cmd.actor.name}`,
      reason: cmd.reason,
      dryRun: cmd.dryRun,
    })),
    audit: {
      records: input.audit.records.length,
      verified: input.audit.verified,
      timeline: input.audit.records.map((r) => ({ at: r.ts, seq: r.seq, actor: r.actor, eventType: r.eventType, summary: summarize(r) })),
    },
  };
  return reportWithoutCredentials(report, input.credentials ?? credentialPolicy());
}
