import { ALL_SLICES, type AggregateSnapshot, type Command, type CorpusEntry, type ExperimentRecord, corpusKey } from '@penumbra/contracts';
import { type CredentialPolicy } from '@penumbra/credentials';
import { type AdminPort, type ProducerPort, type TransactionalKafka } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { corpusRequestOf, mergeEntry } from './corpus-entries';
import { CORPUS_DEFAULTS, type CorpusPick, regressionPicks, rollbackPicks } from './corpus-picks';
import { corpusMessage, readCorpus } from './corpus-store';
import { ExampleBook } from './example-book';
import { findTraffic, recentSnapshots } from './traffic-lookup';

export interface CorpusWriterDeps {
  experiments: (id: string) => ExperimentRecord | undefined;
  kafka: TransactionalKafka;
  admin: () => Promise<AdminPort>;
  producer: ProducerPort;
  topics: { traffic: string; aggregates: string; corpus: string };
  credentials: CredentialPolicy;
  logger: Logger;
  clock?: () => number;
  /** @default CORPUS_DEFAULTS.maxScan */
  maxScan?: number;
  /** @default CORPUS_DEFAULTS.lookbackMs */
  lookbackMs?: number;
}

/** Paths already saved, remembered to save each regression once per process. */
const MAX_REMEMBERED = 10_000;
const RETRY_MS = 60_000;

type Trigger = { kind: 'regression'; snapshot: AggregateSnapshot } | { kind: 'rollback'; command: Command };

/**
 * Saves to the corpus the requests of the pairs that showed a regression: when a live all-slices
 * snapshot judges a path a regression, and when an experiment is rolled back. The example pairs
 * come from the experiment's snapshots of the last `lookbackMs` (read back from the aggregates
 * topic, so that none is missed however late this consumer joined), their requests from the
 * traffic topic over the same span.
 */
export class CorpusWriter {
  private readonly saved = new Set<string>();
  /** When a regression save was last tried per experiment: one that found nothing is not tried again for a minute. */
  private readonly tried = new Map<string, number>();

  constructor(private readonly deps: CorpusWriterDeps) {}

  /** Returns how many corpus records were written. */
  async onSnapshots(snapshots: AggregateSnapshot[]): Promise<number> {
    let written = 0;
    for (const s of snapshots) {
      if (s.sliceKey !== ALL_SLICES) continue;
      const fresh = (s.paths?.verdicts ?? []).some((v) => v.verdict === 'regression' && !this.saved.has(this.savedKey(s.experimentId, v)));
      const now = (this.deps.clock ?? Date.now)();
      if (!fresh || now - (this.tried.get(s.experimentId) ?? -Infinity) < RETRY_MS) continue;
      this.tried.delete(s.experimentId);
      this.tried.set(s.experimentId, now);
      while (this.tried.size > MAX_REMEMBERED) this.tried.delete(this.tried.keys().next().value as string);
      written += await this.save(s.experimentId, s.ts, { kind: 'regression', snapshot: s });
    }
    return written;
  }

  async onCommands(commands: Command[]): Promise<number> {
    let written = 0;
    for (const c of commands) if (c.action === 'rollback') written += await this.save(c.experimentId, c.ts, { kind: 'rollback', command: c });
    return written;
  }

  private savedKey(experimentId: string, p: Pick<CorpusPick, 'endpoint' | 'path'>): string {
    return JSON.stringify([experimentId, p.endpoint, p.path]);
  }

  private async save(experimentId: string, at: number, trigger: Trigger): Promise<number> {
    const d = this.deps;
    const record = d.experiments(experimentId);
    if (!record) return 0;
    const window = { from: at - (d.lookbackMs ?? CORPUS_DEFAULTS.lookbackMs), to: at + 1 };
    const admin = await d.admin();
    try {
      const read = { admin, kafka: d.kafka, maxScan: d.maxScan ?? CORPUS_DEFAULTS.maxScan };
      const snapshots = await recentSnapshots({ ...read, topic: d.topics.aggregates }, experimentId, window);
      const book = new ExampleBook();
      for (const s of snapshots) book.add(s);
      const latest = trigger.kind === 'regression' ? trigger.snapshot : snapshots[snapshots.length - 1];
      if (trigger.kind === 'regression') book.add(trigger.snapshot);
      const picks =
        trigger.kind === 'regression'
          ? regressionPicks(trigger.snapshot, book.ids).filter((p) => !this.saved.has(this.savedKey(experimentId, p)))
          : rollbackPicks(trigger.command, latest, book.ids);
      if (picks.length === 0) return 0;
      const ids = new Set(picks.flatMap((p) => p.trafficIds));
      const found = await findTraffic({ ...read, topic: d.topics.traffic }, ids, {
        from: (book.since() ?? window.from) - CORPUS_DEFAULTS.captureLeadMs,
        to: window.to,
      });
      return await this.write(record, picks, found);
    } finally {
      await admin.disconnect();
    }
  }

  private async write(record: ExperimentRecord, picks: CorpusPick[], found: Awaited<ReturnType<typeof findTraffic>>): Promise<number> {
    const d = this.deps;
    const experimentId = record.experimentId;
    const now = (d.clock ?? Date.now)();
    const service = record.spec.target.service;
    const entries = picks.flatMap((p): CorpusEntry[] => {
      const requests = p.trafficIds.flatMap((id) => {
        const traffic = found.get(id);
        const request = traffic ? corpusRequestOf(traffic, d.credentials) : undefined;
        return request ? [request] : [];
      });
      return requests.length === 0 ? [] : [{ type: 'corpus.v1', service, endpoint: p.endpoint, path: p.path, reason: p.reason, experimentId, savedAt: now, requests }];
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
