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
  if (failing.length > 0) return `not promoted: ${failing.map((g) => `${g.gate} fails (${causeText(g)})`).join('; ')}`;
  const waiting = p.gates.filter((g) => g.verdict === 'need-more-data');
  if (p.samples < p.minSamples || waiting.length > 0) {
    const more = Math.max(p.minSamples - p.samples, ...waiting.map((g) => g.neededSamples ?? 0));
    const gates = waiting.length > 0 ? `; undecided: ${waiting.map((g) => g.gate).join(', ')}` : '';
    return `need more data: ${p.samples} of at least ${p.minSamples} samples, about ${more} more${gates}`;
  }
  if (p.bakedMs < p.bakeMs) return `baking: gates held for ${formatDuration(p.bakedMs)} of ${formatDuration(p.bakeMs)}`;
  return undefined;
}

export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'n/a';
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

const WORDS = {
  promotion: { pass: 'pass', fail: 'fail', 'need-more-data': 'undecided' },
  rollback: { pass: 'not fired', fail: 'fired', 'need-more-data': 'undecided' },
} as const;

/** One gate or trigger with everything its verdict rests on: value, bound, threshold, samples. */
export function gateText(g: GateEvidence): string {
  const bound = g.bound === null ? '' : `, bound ${fmt(g.bound)}`;
  const judged = g.confidence === null ? 'point estimate' : `${g.confidence} confidence`;
  const samples = g.samples === undefined ? '' : ` on ${g.samples} samples`;
  return `${g.kind === 'rollback' ? 'trigger' : 'gate'} "${g.gate}": ${g.metric} = ${fmt(g.value)}${bound} vs ${g.op} ${g.threshold} (${judged}${samples}): ${WORDS[g.kind][g.verdict]}`;
}

/** The whole record behind a decision, in words: samples and bake against the criteria, every gate. */
export function evidenceText(p: { gates: GateEvidence[]; samples: number; minSamples: number; bakedMs: number; bakeMs: number }): string {
  const head = `${p.samples} samples (minimum ${p.minSamples}), gates held ${formatDuration(p.bakedMs)} (bake ${formatDuration(p.bakeMs)})`;
  return p.gates.length === 0 ? head : `${head}; ${p.gates.map(gateText).join('; ')}`;
}

/** Why one gate or trigger decided, in a few words: its value against its bound and threshold. */
export function causeText(g: GateEvidence): string {
  const bound = g.bound === null ? '' : `, bound ${fmt(g.bound)}`;
  return `${g.metric} = ${fmt(g.value)}${bound} vs ${g.op} ${g.threshold}`;
}
