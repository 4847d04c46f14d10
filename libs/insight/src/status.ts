import { type ExperimentRecord, type GateEvidence } from '@penumbra/contracts';
import { type SliceState, formatDuration } from '@penumbra/policy-core';
import { type RedisClient } from '@penumbra/redis';
import { SentinelStateStore } from '@penumbra/sentinel-state';

export interface SliceStatus {
  slice: string;
  state: SliceState;
  stage: string;
  mode: string;
  weight: number;
}

export interface ExperimentStatus {
  experimentId: string;
  halted?: ExperimentRecord['halted'];
  slices: SliceStatus[];
}

/** The sentinel's view of an experiment: each slice's stage, its last verdict and its gates. */
export async function readExperimentStatus(redis: RedisClient, keyPrefix: string, record: ExperimentRecord): Promise<ExperimentStatus> {
  const store = new SentinelStateStore(redis, keyPrefix);
  const stages = record.spec.policy.stages;
  const slices: SliceStatus[] = [];
  for (const slice of await store.slicesOf(record.experimentId)) {
    const stored = await store.load(record.experimentId, slice);
    if (stored === undefined) continue;
    const stage = stages[stored.state.stageIndex] ?? stages[stages.length - 1];
    slices.push({ slice, state: stored.state, stage: stage?.name ?? '-', mode: stage?.mode ?? '-', weight: stage?.weight ?? 0 });
  }
  slices.sort((a, b) => a.slice.localeCompare(b.slice));
  return { experimentId: record.experimentId, ...(record.halted ? { halted: record.halted } : {}), slices };
}

export function progressBar(done: number, total: number, width = 24): string {
  const share = total <= 0 ? 1 : Math.max(0, Math.min(1, done / total));
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(share * 100)}%`;
}

const num = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : Number.isInteger(v) ? String(v) : v.toFixed(4));

function gateLine(g: GateEvidence): string {
  const mark = g.verdict === 'pass' ? 'ok  ' : g.verdict === 'fail' ? 'FAIL' : 'wait';
  const kind = g.kind === 'rollback' ? 'trigger' : 'gate';
  const bound = g.bound === null ? '' : `, bound ${num(g.bound)}`;
  const more = g.neededSamples === undefined || g.verdict !== 'need-more-data' ? '' : `, ~${g.neededSamples} more samples`;
  return `  ${mark} ${kind} ${g.gate}: ${num(g.value)}${bound}${more}`;
}

/** The status as lines of text: what `penumbra status` and `watch` print. */
export function renderStatus(status: ExperimentStatus, now: number): string[] {
  const lines: string[] = [];
  if (status.halted) lines.push(`${status.experimentId}: HALTED at ${new Date(status.halted.at).toISOString()}: ${status.halted.reason}`);
  if (status.slices.length === 0) {
    lines.push(`${status.experimentId}: the sentinel has not evaluated it yet (no aggregates, or the sentinel is not running)`);
    return lines;
  }
  for (const s of status.slices) {
    const v = s.state.lastVerdict;
    const head = s.slice === '*' ? status.experimentId : `${status.experimentId} [${s.slice}]`;
    lines.push(`${head}: ${s.state.status}, stage "${s.stage}" (${s.mode}, ${s.weight}% weight), state v${s.state.version}, ${s.state.rollbacks} rollback(s)`);
    if (v === null) continue;
    lines.push(`  samples ${progressBar(v.samples, v.minSamples)} ${v.samples}/${v.minSamples}`);
    lines.push(`  bake    ${progressBar(v.bakedMs, v.bakeMs)} ${formatDuration(v.bakedMs)}/${formatDuration(v.bakeMs)}`);
    if (v.coverage !== undefined) lines.push(`  coverage ${(100 * v.coverage).toFixed(2)}% of the captured requests in the target mirrored`);
    for (const g of v.gates) lines.push(gateLine(g));
    lines.push(`  why: ${v.summary} (as of ${formatDuration(now - v.at)} ago)`);
  }
  return lines;
}
