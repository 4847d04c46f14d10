import { type GateEvidence } from '@penumbra/contracts';

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 === 0 ? '' : `${s % 60}s`}`;
  const m = Math.floor(s / 60);
  return `${Math.floor(m / 60)}h${m % 60 === 0 ? '' : `${m % 60}m`}`;
}

/**
 * Why a stage is not promoted yet, in words, or undefined when nothing holds it back: a failing
 * gate first, then missing samples (with the largest estimate of how many more a gate needs),
 * then the bake time.
 */
export function summarize(p: { gates: GateEvidence[]; samples: number; minSamples: number; bakedMs: number; bakeMs: number }): string | undefined {
  const failing = p.gates.filter((g) => g.verdict === 'fail');
  if (failing.length > 0) return `not promoted: ${failing.map((g) => `${g.gate} fails (${g.metric} = ${g.value === null ? 'n/a' : g.value.toPrecision(4)})`).join('; ')}`;
  const waiting = p.gates.filter((g) => g.verdict === 'need-more-data');
  if (p.samples < p.minSamples || waiting.length > 0) {
    const more = Math.max(p.minSamples - p.samples, ...waiting.map((g) => g.neededSamples ?? 0));
    const gates = waiting.length > 0 ? `; undecided: ${waiting.map((g) => g.gate).join(', ')}` : '';
    return `need more data: ${p.samples} of at least ${p.minSamples} samples, about ${more} more${gates}`;
  }
  if (p.bakedMs < p.bakeMs) return `baking: gates held for ${formatDuration(p.bakedMs)} of ${formatDuration(p.bakeMs)}`;
  return undefined;
}
