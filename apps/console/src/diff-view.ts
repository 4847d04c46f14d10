import { type MergedAggregate } from '@penumbra/aggregates';

export interface PairField {
  path: string;
  primary: string | null;
  candidate: string | null;
}

export interface PairView {
  pairId: string;
  endpoint: string;
  fields: PairField[];
}

export interface NoiseRow {
  endpoint: string;
  path: string;
  /** Pairs compared with a secondary on this endpoint. */
  requests: number;
  /** How often the candidate differed from the primary here. */
  candidateDiffered: number;
  /** How often the secondary (production itself) differed from the primary here: the noise. */
  productionDiffered: number;
}

const MAX_PAIRS = 20;
const MAX_NOISE_ROWS = 100;

/** The example pairs of the top differences, each with every differing field the examples hold, both values side by side. */
export function pairViews(topPaths: MergedAggregate['topPaths']): PairView[] {
  const pairs = new Map<string, PairView>();
  for (const p of topPaths) {
    for (const s of p.samples) {
      let view = pairs.get(s.pairId);
      if (view === undefined) {
        if (pairs.size >= MAX_PAIRS) continue;
        view = { pairId: s.pairId, endpoint: p.endpoint, fields: [] };
        pairs.set(s.pairId, view);
      }
      if (!view.fields.some((f) => f.path === p.path)) view.fields.push({ path: p.path, primary: s.primary ?? null, candidate: s.candidate ?? null });
    }
  }
  return [...pairs.values()].sort((a, b) => b.fields.length - a.fields.length || a.pairId.localeCompare(b.pairId));
}

/**
 * The comparator's noise counters of one endpoint (`req`, `raw:<path>`, `noise:<path>`) as rows:
 * the paths on which production differed from itself, which noise cancellation weighs against
 * the candidate's differences and suppresses when the candidate does not clearly differ more.
 */
export function noiseRows(endpoint: string, counters: Record<string, string>): NoiseRow[] {
  const requests = Number(counters['req'] ?? 0);
  const rows: NoiseRow[] = [];
  for (const [field, value] of Object.entries(counters)) {
    if (!field.startsWith('noise:')) continue;
    const path = field.slice('noise:'.length);
    const productionDiffered = Number(value);
    if (productionDiffered <= 0) continue;
    rows.push({ endpoint, path, requests, candidateDiffered: Number(counters[`raw:${path}`] ?? 0), productionDiffered });
  }
  return rows.sort((a, b) => b.productionDiffered - a.productionDiffered).slice(0, MAX_NOISE_ROWS);
}
