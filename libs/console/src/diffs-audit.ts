import { readHistory, summarize, verifyChain } from '@penumbra/audit';
import { type ExperimentRecord } from '@penumbra/contracts';
import { type ConsoleSources, readAll } from './console-sources';
import { type NoisePathCounts, readNoisyPaths } from '@penumbra/comparator';
import { type PairView, pairViews } from './diff-view';

export interface DiffsView {
  experimentId: string;
  pairs: number;
  endpoints: Array<{ endpoint: string; paths: Array<{ path: string; count: number; share: number }> }>;
  examples: PairView[];
  noise: NoisePathCounts[];
  redacted: string[];
}

export async function diffsView(src: ConsoleSources, record: ExperimentRecord): Promise<DiffsView> {
  const id = record.experimentId;
  const all = await readAll(src, id);
  const endpoints = new Map<string, DiffsView['endpoints'][number]>();
  for (const p of all.topPaths) {
    const e = endpoints.get(p.endpoint) ?? { endpoint: p.endpoint, paths: [] };
    e.paths.push({ path: p.path, count: p.count, share: all.counts.pairs === 0 ? 0 : p.count / all.counts.pairs });
    endpoints.set(p.endpoint, e);
  }
  return {
    experimentId: id,
    pairs: all.counts.pairs,
    endpoints: [...endpoints.values()],
    examples: pairViews(all.topPaths),
    noise: await readNoisyPaths(src.redis, src.keyPrefix, id),
    redacted: record.spec.compare.redact,
  };
}

export interface AuditView {
  experimentId: string;
  partition: number | null;
  chain: { ok: boolean; count: number; firstBroken: string | null };
  timeline: Array<{ seq: number; at: number; actor: string; eventType: string; summary: string }>;
}

/** The audit trail from the audit topic, with the hash chain recomputed. */
export async function auditView(src: ConsoleSources, id: string): Promise<AuditView> {
  const history = await readHistory(src.log, src.topics.audit, id, 30_000);
  const verdict = verifyChain(history.raw);
  const b = verdict.firstBroken;
  return {
    experimentId: id,
    partition: history.partition,
    chain: { ok: verdict.ok, count: verdict.count, firstBroken: b ? `seq ${b.seq ?? '?'} (${b.id ?? 'no id'}): ${b.reason}` : null },
    timeline: history.records.map((r) => ({ seq: r.seq, at: r.ts, actor: r.actor, eventType: r.eventType, summary: summarize(r) })),
  };
}
