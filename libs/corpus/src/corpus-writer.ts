import { ALL_SLICES, type AggregateSnapshot, type Command, type CorpusEntry, type ExperimentRecord, corpusKey } from '@penumbra/contracts';
import { type CredentialPolicy } from '@penumbra/credentials';
import { type AdminPort, type ProducerPort, type TransactionalKafka } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { corpusRequestOf, mergeEntry } from './corpus-entries';
import { CORPUS_DEFAULTS, type CorpusPick, regressionPicks, rollbackPicks } from './corpus-picks';
import { corpusMessage, readCorpus } from './corpus-store';
import { findTraffic } from './traffic-lookup';

export interface CorpusWriterDeps {
  experiments: (id: string) => ExperimentRecord | undefined;
  kafka: TransactionalKafka;
  admin: () => Promise<AdminPort>;
  producer: ProducerPort;
  topics: { traffic: string; corpus: string };
  credentials: CredentialPolicy;
  logger: Logger;
  clock?: () => number;
  /** @default CORPUS_DEFAULTS.maxScan */
  maxScan?: number;
}

/** Paths already saved, remembered to save each regression once per process. */
const MAX_REMEMBERED = 10_000;

/**
 * Saves to the corpus the requests of the pairs that showed a regression: when a live all-slices
 * snapshot judges a path a regression, and when an experiment is rolled back (from its latest
 * snapshot). The requests are looked up on the traffic topic around the snapshot's window.
 */
export class CorpusWriter {
  private readonly latest = new Map<string, AggregateSnapshot>();
  private readonly saved = new Set<string>();

  constructor(private readonly deps: CorpusWriterDeps) {}

  /** Returns how many corpus records were written. */
  async onSnapshots(snapshots: AggregateSnapshot[]): Promise<number> {
    let written = 0;
    for (const s of snapshots) {
      if (s.sliceKey !== ALL_SLICES) continue;
      this.remember(s);
      const picks = regressionPicks(s).filter((p) => !this.saved.has(this.savedKey(s.experimentId, p)));
      if (picks.length > 0) written += await this.save(s.experimentId, s, picks);
    }
    return written;
  }

  async onCommands(commands: Command[]): Promise<number> {
    let written = 0;
    for (const c of commands) {
      const latest = this.latest.get(c.experimentId);
      const picks = rollbackPicks(c, latest);
      if (latest && picks.length > 0) written += await this.save(c.experimentId, latest, picks);
    }
    return written;
  }

  private remember(s: AggregateSnapshot): void {
    const prev = this.latest.get(s.experimentId);
    if (prev && prev.ts > s.ts) return;
    this.latest.delete(s.experimentId);
    this.latest.set(s.experimentId, s);
    while (this.latest.size > CORPUS_DEFAULTS.maxExperiments) this.latest.delete(this.latest.keys().next().value as string);
  }

  private savedKey(experimentId: string, p: Pick<CorpusPick, 'endpoint' | 'path'>): string {
    return JSON.stringify([experimentId, p.endpoint, p.path]);
  }

  private async save(experimentId: string, s: AggregateSnapshot, picks: CorpusPick[]): Promise<number> {
    const d = this.deps;
    const record = d.experiments(experimentId);
    if (!record) return 0;
    const ids = new Set(picks.flatMap((p) => p.trafficIds));
    const admin = await d.admin();
    let found;
    try {
      const window = { from: s.window.start - CORPUS_DEFAULTS.captureLeadMs, to: s.window.end + 1 };
      found = await findTraffic({ admin, kafka: d.kafka, topic: d.topics.traffic, maxScan: d.maxScan ?? CORPUS_DEFAULTS.maxScan }, ids, window);
    } finally {
      await admin.disconnect();
    }
    const now = (d.clock ?? Date.now)();
    const service = record.spec.target.service;
    const entries = picks.flatMap((p): CorpusEntry[] => {
      const requests = p.trafficIds.flatMap((id) => {
        const traffic = found.get(id);
        const request = traffic ? corpusRequestOf(traffic, d.credentials) : undefined;
        return request ? [request] : [];
      });
      if (requests.length === 0) return [];
      return [{ type: 'corpus.v1', service, endpoint: p.endpoint, path: p.path, reason: p.reason, experimentId, savedAt: now, requests }];
    });
    if (entries.length === 0) {
      d.logger.warn('no captured request found for the pairs that showed a regression; nothing saved to the corpus', { experimentId, paths: picks.map((p) => p.path) });
      return 0;
    }
    const existing = await readCorpus(d.kafka, d.topics.corpus);
    await d.producer.send(entries.map((e) => corpusMessage(d.topics.corpus, mergeEntry(existing.get(corpusKey(e.service, e.endpoint, e.path)), e))));
    for (const e of entries) this.saved.add(this.savedKey(experimentId, e));
    while (this.saved.size > MAX_REMEMBERED) this.saved.delete(this.saved.values().next().value as string);
    d.logger.info('saved to the regression corpus', {
      experimentId,
      paths: entries.map((e) => `${e.endpoint} ${e.path}`),
      requests: entries.reduce((n, e) => n + e.requests.length, 0),
    });
    return entries.length;
  }
}
