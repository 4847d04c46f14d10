import { type ExperimentRecord } from '@penumbra/contracts';
import { type CredentialPolicy } from '@penumbra/credentials';
import { InvalidInputError } from '@penumbra/errors';
import { createReplayClient } from '@penumbra/http';
import { type KafkaClient, type TransactionalKafka, encodeParsedEvent } from '@penumbra/kafka';
import { MirrorEngine, MirrorMetrics, replayRegistry, replayRunId } from '@penumbra/mirror';
import { type DestinationPolicy } from '@penumbra/mirror-core';
import { createMetricsRegistry } from '@penumbra/observability';
import { trafficRecordOf } from './corpus-entries';
import { entriesOf, readCorpus } from './corpus-store';

export interface CorpusReplayRequest {
  client: KafkaClient;
  kafka: TransactionalKafka;
  record: ExperimentRecord;
  topics: { corpus: string; pairs: string };
  destinations: DestinationPolicy;
  credentials: CredentialPolicy;
  onProgress?: (done: number, total: number) => void;
  now?: number;
}

export interface CorpusReplayResult {
  run: string;
  /** Corpus records of the service, and the requests they held. */
  entries: number;
  requests: number;
  /** Pairs written (a request the mirror's rules skip makes none). */
  pairs: number;
  seconds: number;
}

/** Requests replayed at once, so that a large corpus neither floods the candidate nor takes long. */
const IN_FLIGHT = 16;

/**
 * Replays the service's regression corpus to the experiment through the mirror's own engine (its
 * rules, caps and sampling), as a replay: the live secondary answers in the capture's place, and
 * the pairs, marked `corpus`, are counted only in the "~corpus" rollup that a corpus stage reads.
 */
export async function replayCorpus(req: CorpusReplayRequest): Promise<CorpusReplayResult> {
  const experiment = req.record.experimentId;
  const registry = replayRegistry(req.record, req.destinations);
  const service = req.record.spec.target.service;
  const entries = entriesOf(await readCorpus(req.kafka, req.topics.corpus), service);
  const requests = [...new Map(entries.flatMap((e) => e.requests).map((r) => [r.trafficId, r])).values()];
  if (requests.length === 0) {
    throw new InvalidInputError(`corpus: nothing is saved for service ${service}; list it with npx penumbra corpus list`, 'CORPUS_EMPTY', { experiment, service });
  }
  const started = req.now ?? Date.now();
  const run = replayRunId(started);
  const producer = await req.client.producer();
  const client = createReplayClient({ connectionsPerOrigin: Math.min(IN_FLIGHT, req.record.spec.shadow.maxInFlight) });
  const engine = new MirrorEngine({
    experiments: registry,
    client,
    metrics: new MirrorMetrics(createMetricsRegistry('penumbra-corpus-replay', { defaultMetrics: false })),
    credentials: req.credentials,
    replay: { experimentId: experiment, run, kind: 'corpus' },
  });
  let pairs = 0;
  try {
    for (let i = 0; i < requests.length; i += IN_FLIGHT) {
      const chunk = requests.slice(i, i + IN_FLIGHT);
      const outcomes = (await Promise.all(chunk.map((r) => engine.process(trafficRecordOf(service, r))))).flat();
      const messages = outcomes.flatMap((o) => (o.kind === 'pair' ? [encodeParsedEvent(o.pair, req.topics.pairs, o.pair.id)] : []));
      await producer.send(messages);
      pairs += messages.length;
      req.onProgress?.(Math.min(i + IN_FLIGHT, requests.length), requests.length);
    }
  } finally {
    await client.close();
    await producer.disconnect();
  }
  return { run, entries: entries.length, requests: requests.length, pairs, seconds: (Date.now() - started) / 1000 };
}
