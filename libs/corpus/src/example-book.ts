import { type AggregateSnapshot, MAX_CORPUS_REQUESTS } from '@penumbra/contracts';
import { type ExampleIds, snapshotExamples } from './corpus-picks';

/** Paths remembered; a snapshot holds at most 100 top paths. */
const MAX_PATHS = 200;

/**
 * The example pairs of one experiment's differing paths, gathered from its snapshots (one snapshot
 * holds a few per path, a corpus record up to MAX_CORPUS_REQUESTS): newest first, each once,
 * bounded per path and in paths.
 */
export class ExampleBook {
  /** The start of the earliest window an example came from. */
  private earliest: number | undefined;
  /** Per path, traffic ids newest first. */
  private readonly paths = new Map<string, string[]>();

  add(s: AggregateSnapshot): void {
    this.earliest = Math.min(this.earliest ?? s.window.start, s.window.start);
    for (const e of snapshotExamples(s)) {
      const key = JSON.stringify([e.endpoint, e.path]);
      if (!this.paths.has(key) && this.paths.size >= MAX_PATHS) continue;
      const seen = new Set<string>();
      const ids = [...e.trafficIds, ...(this.paths.get(key) ?? [])].filter((id) => !seen.has(id) && seen.add(id));
      this.paths.set(key, ids.slice(0, MAX_CORPUS_REQUESTS));
    }
  }

  readonly ids: ExampleIds = (endpoint, path) => this.paths.get(JSON.stringify([endpoint, path])) ?? [];

  since(): number | undefined {
    return this.earliest;
  }
}
