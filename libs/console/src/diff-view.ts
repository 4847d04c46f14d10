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

const MAX_PAIRS = 20;

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
