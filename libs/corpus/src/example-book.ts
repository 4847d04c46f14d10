import { type AggregateSnapshot, MAX_CORPUS_REQUESTS } from '@penumbra/contracts';
import { CORPUS_DEFAULTS, type ExampleIds, snapshotExamples } from './corpus-picks';

interface Book {
  /** The start of the earliest window an example came from. */
  since: number;
  /** Per path, traffic ids newest first. */
  paths: Map<string, string[]>;
}

/** Paths remembered per experiment; a snapshot holds at most 100 top paths. */
const MAX_PATHS = 200;

/**
 * The example pairs of each experiment's differing paths, gathered from all of its snapshots (one
 * snapshot holds a few per path, a corpus record up to MAX_CORPUS_REQUESTS): newest first, each
 * once, bounded per path, per experiment and in experiments.
 */
export class ExampleBook {
  private readonly books = new Map<string, Book>();

  add(s: AggregateSnapshot): void {
    let book = this.books.get(s.experimentId);
    if (!book) {
      book = { since: s.window.start, paths: new Map() };
      this.books.set(s.experimentId, book);
      while (this.books.size > CORPUS_DEFAULTS.maxExperiments) this.books.delete(this.books.keys().next().value as string);
    }
    book.since = Math.min(book.since, s.window.start);
    for (const e of snapshotExamples(s)) {
      const key = JSON.stringify([e.endpoint, e.path]);
      if (!book.paths.has(key) && book.paths.size >= MAX_PATHS) continue;
      const seen = new Set<string>();
      const ids = [...e.trafficIds, ...(book.paths.get(key) ?? [])].filter((id) => !seen.has(id) && seen.add(id));
      book.paths.set(key, ids.slice(0, MAX_CORPUS_REQUESTS));
    }
  }

  ids(experimentId: string): ExampleIds {
    const book = this.books.get(experimentId);
    return (endpoint, path) => book?.paths.get(JSON.stringify([endpoint, path])) ?? [];
  }

  since(experimentId: string): number | undefined {
    return this.books.get(experimentId)?.since;
  }
}
