import { type ExperimentRecord } from '@penumbra/contracts';
import { type ExperimentStatus, type LatencyRow, readExperimentStatus, verdictOf } from '@penumbra/insight';
import { criteriaOf, evidenceFromParts, stageOf } from '@penumbra/policy-core';
import { LogHistogram } from '@penumbra/stats-core';
import { type ConsoleSources, rate, readAll, readWindow, sliceKeys, windowStarts } from './console-sources';
import { type GateHistory, gateHistory, spread } from './gate-history';

const SPARK_POINTS = 40;
const GATE_POINTS = 60;
const MAX_LISTED = 200;

export interface ExperimentSummary {
  experimentId: string;
  description: string;
  stage: string;
  mode: string;
  status: string;
  decision: string;
  summary: string;
  samples: number;
  matchRate: number | null;
  sparkline: Array<number | null>;
}

function headSlice(status: ExperimentStatus) {
  return status.slices.find((s) => s.slice === '*') ?? status.slices[0];
}

/** One line of the experiments page: stage and mode, the decision or "deciding", samples, match rate and its recent course. */
export async function summarize(src: ConsoleSources, record: ExperimentRecord): Promise<ExperimentSummary> {
  const id = record.experimentId;
  const status = await readExperimentStatus(src.redis, src.keyPrefix, record);
  const verdict = verdictOf(status);
  const head = headSlice(status);
  const all = await readAll(src, id);
  const starts = await windowStarts(src, id);
  const sparkline: Array<number | null> = [];
  for (const start of starts.slice(-SPARK_POINTS)) {
    const w = await readWindow(src, id, start);
    sparkline.push(rate(w.counts.match, w.counts.pairs));
  }
  const first = record.spec.policy.stages[0];
  return {
    experimentId: id,
    description: record.spec.description,
    stage: head?.stage ?? first?.name ?? '-',
    mode: head?.mode ?? first?.mode ?? '-',
    status: status.halted ? 'killed' : (head?.state.status ?? 'waiting'),
    decision: verdict.decision === 'in_progress' ? 'deciding' : verdict.decision.replace('_', ' '),
    summary: verdict.summary,
    samples: all.counts.pairs,
    matchRate: rate(all.counts.match, all.counts.pairs),
    sparkline,
  };
}

export async function listExperiments(src: ConsoleSources): Promise<ExperimentSummary[]> {
  const records = src
    .experiments()
    .sort((a, b) => a.experimentId.localeCompare(b.experimentId))
    .slice(0, MAX_LISTED);
  const out: ExperimentSummary[] = [];
  for (const r of records) out.push(await summarize(src, r));
  return out;
}

/** What changes when anything a page shows changes: the sentinel's state versions and the newest window's counts. */
export async function fingerprint(src: ConsoleSources, record: ExperimentRecord): Promise<string> {
  const status = await readExperimentStatus(src.redis, src.keyPrefix, record);
  const starts = await windowStarts(src, record.experimentId);
  const last = starts[starts.length - 1];
  const newest = last === undefined ? undefined : await readWindow(src, record.experimentId, last);
  return JSON.stringify([
    record.id,
    record.halted?.at ?? null,
    status.slices.map((s) => [s.slice, s.state.version, s.state.lastVerdict?.at ?? 0]),
    starts.length,
    last,
    newest?.counts.pairs,
  ]);
}

export interface ExperimentDetail {
  summary: ExperimentSummary;
  halted: ExperimentRecord['halted'] | null;
  stages: Array<{ name: string; mode: string; weight: number; minSamples: number; minDurationSec: number; current: boolean }>;
  slices: Array<{
    slice: string;
    status: string;
    stage: string;
    rollbacks: number;
    samples: number;
    matchRate: number | null;
    progress: { samples: number; minSamples: number; bakedMs: number; bakeMs: number } | null;
    why: string | null;
    gates: NonNullable<ExperimentStatus['slices'][number]['state']['lastVerdict']>['gates'];
  }>;
  gateHistory: GateHistory[];
  latency: LatencyRow[];
}

async function latencyOf(src: ConsoleSources, id: string): Promise<LatencyRow[]> {
  const all = await readAll(src, id);
  return (['primary', 'secondary', 'candidate'] as const)
    .map((side) => {
      const h = all.latency[side];
      return { side, count: h.count, p50: h.quantile(0.5) ?? null, p90: h.quantile(0.9) ?? null, p99: h.quantile(0.99) ?? null };
    })
    .filter((r) => r.count > 0);
}

/** The evidence as it grew, window by window, judged by the current stage's gates. */
async function historyOf(src: ConsoleSources, record: ExperimentRecord, status: ExperimentStatus): Promise<GateHistory[]> {
  const head = headSlice(status);
  const { policy } = record.spec;
  const stage = head ? stageOf(policy, head.state) : policy.stages[0];
  if (stage === undefined) return [];
  const { minSamples } = criteriaOf(policy, stage, head?.state.rollbacks ?? 0);
  const starts = await windowStarts(src, record.experimentId);
  const keep = new Set(spread(starts.length, GATE_POINTS));
  const counts = {
    pairs: 0,
    match: 0,
    mismatch: 0,
    candidateErrors: 0,
    primaryErrors: 0,
    bothErrors: 0,
    secondaryErrors: 0,
    statusMismatches: 0,
    timeouts: 0,
    tooLarge: 0,
    unknown: 0,
  };
  const latency = { primary: new LogHistogram(), candidate: new LogHistogram(), secondary: new LogHistogram() };
  const points = [];
  for (const [i, start] of starts.entries()) {
    const w = await readWindow(src, record.experimentId, start);
    for (const k of Object.keys(counts) as Array<keyof typeof counts>) counts[k] += w.counts[k];
    latency.primary.merge(w.latency.primary);
    latency.candidate.merge(w.latency.candidate);
    latency.secondary.merge(w.latency.secondary);
    if (!keep.has(i)) continue;
    const at = start + src.windows.windowMs;
    points.push({ at, evidence: evidenceFromParts({ counts: { ...counts }, ...latency, metrics: {}, window: { start: starts[0] ?? start, end: at } }) });
  }
  return gateHistory(stage, minSamples, points);
}

export async function experimentDetail(src: ConsoleSources, record: ExperimentRecord): Promise<ExperimentDetail> {
  const id = record.experimentId;
  const status = await readExperimentStatus(src.redis, src.keyPrefix, record);
  const head = headSlice(status);
  const slices: ExperimentDetail['slices'] = [];
  const keys = new Set([...status.slices.map((s) => s.slice), ...(await sliceKeys(src, id))]);
  for (const key of [...keys].sort()) {
    const s = status.slices.find((x) => x.slice === key);
    const agg = await readAll(src, id, key);
    const v = s?.state.lastVerdict ?? null;
    slices.push({
      slice: key,
      status: s?.state.status ?? 'not judged',
      stage: s?.stage ?? '-',
      rollbacks: s?.state.rollbacks ?? 0,
      samples: agg.counts.pairs,
      matchRate: rate(agg.counts.match, agg.counts.pairs),
      progress: v === null ? null : { samples: v.samples, minSamples: v.minSamples, bakedMs: v.bakedMs, bakeMs: v.bakeMs },
      why: v?.summary ?? null,
      gates: v?.gates ?? [],
    });
  }
  return {
    summary: await summarize(src, record),
    halted: record.halted ?? null,
    stages: record.spec.policy.stages.map((st, i) => ({
      name: st.name,
      mode: st.mode,
      weight: st.weight,
      minSamples: st.minSamples,
      minDurationSec: st.minDurationSec,
      current: head !== undefined && head.state.stageIndex === i,
    })),
    slices,
    gateHistory: await historyOf(src, record, status),
    latency: await latencyOf(src, id),
  };
}
