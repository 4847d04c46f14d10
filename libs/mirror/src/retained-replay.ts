import { randomBytes } from 'node:crypto';
import { type ExperimentRecord } from '@penumbra/contracts';
import { type CredentialPolicy } from '@penumbra/credentials';
import { InvalidInputError } from '@penumbra/errors';
import { createReplayClient } from '@penumbra/http';
import { type KafkaClient } from '@penumbra/kafka';
import { type DestinationPolicy, type ReplayPace, type ReplayWindow } from '@penumbra/mirror-core';
import { type Logger, createMetricsRegistry, silentLogger } from '@penumbra/observability';
import { ExperimentRegistry } from './experiment-registry';
import { MirrorEngine } from './mirror-engine';
import { MirrorMetrics } from './mirror-metrics';
import { type ReplayProgress, planReplay, replayTotal, runReplay } from './replay-run';

export interface RetainedReplayRequest {
  kafka: KafkaClient;
  record: ExperimentRecord;
  topics: { traffic: string; pairs: string; dlq: string };
  window: ReplayWindow;
  pace: ReplayPace;
  destinations: DestinationPolicy;
  credentials: CredentialPolicy;
  logger?: Logger;
  /** Called once the window is planned, with the run id and the records it holds. */
  onPlanned?: (run: string, total: number) => void;
  onProgress?: (progress: ReplayProgress) => void;
  /** Connections per destination. @default the experiment's shadow.maxInFlight, so no request waits for a connection and its latency is the destination's own */
  connectionsPerOrigin?: number;
  now?: number;
}

export interface RetainedReplayResult extends ReplayProgress {
  run: string;
  seconds: number;
}

/** The run's id: when it started, and a random tail so two runs started together never share a group. */
export function replayRunId(now: number): string {
  return `${new Date(now)
    .toISOString()
    .replace(/[^0-9]/g, '')
    .slice(0, 14)}-${randomBytes(3).toString('hex')}`;
}

/**
 * The one experiment a replay may send requests for, checked as the live mirror checks it: it has
 * a secondary (which answers in the stale capture's place), its destinations are allowed, and it
 * is not halted.
 */
export function replayRegistry(record: ExperimentRecord, destinations: DestinationPolicy): ExperimentRegistry {
  const experiment = record.experimentId;
  if (!record.spec.shadow.secondary) {
    throw new InvalidInputError(
      `shadow.secondary: ${experiment} has no secondary; a replay compares the candidate with a live secondary, never with the stale capture`,
      'REPLAY_NEEDS_SECONDARY',
      { experiment },
    );
  }
  const registry = new ExperimentRegistry({ destinations });
  registry.upsert(record);
  const refused = registry.refused().get(experiment);
  if (refused !== undefined) throw new InvalidInputError(`MIRROR_ALLOWED_TARGETS: ${experiment} is not replayed: its ${refused}`, 'REPLAY_REFUSED', { experiment });
  if (!registry.get(experiment)) throw new InvalidInputError(`experiment: ${experiment} is halted; resume it before replaying`, 'REPLAY_HALTED', { experiment });
  return registry;
}

/**
 * Replays an experiment's share of the retained traffic in a time window through the mirror's own
 * engine (its rules, caps and sampling), under a group of its own, so the live mirror's offsets
 * never move. The capture is stale, so the live secondary answers in the primary's place; the
 * pairs are marked as replayed and counted only in the "~replay" rollup.
 */
export async function replayRetained(req: RetainedReplayRequest): Promise<RetainedReplayResult> {
  const experiment = req.record.experimentId;
  const registry = replayRegistry(req.record, req.destinations);

  const started = req.now ?? Date.now();
  const run = replayRunId(started);
  const admin = await req.kafka.admin();
  const producer = await req.kafka.producer();
  const client = createReplayClient({ connectionsPerOrigin: req.connectionsPerOrigin ?? req.record.spec.shadow.maxInFlight });
  try {
    const ranges = await planReplay(admin, req.topics.traffic, req.window);
    req.onPlanned?.(run, replayTotal(ranges));
    const engine = new MirrorEngine({
      experiments: registry,
      client,
      metrics: new MirrorMetrics(createMetricsRegistry('penumbra-replay', { defaultMetrics: false })),
      credentials: req.credentials,
      replay: { experimentId: experiment, run, kind: 'retained' },
    });
    const result = await runReplay({
      client: req.kafka,
      admin,
      trafficTopic: req.topics.traffic,
      pairsTopic: req.topics.pairs,
      deadLetterTopic: req.topics.dlq,
      groupId: `penumbra.replay.${experiment}.${run}`,
      ranges,
      window: req.window,
      pace: req.pace,
      engine,
      producer,
      logger: req.logger ?? silentLogger,
      ...(req.onProgress ? { onProgress: req.onProgress } : {}),
    });
    return { ...result, run, seconds: (Date.now() - started) / 1000 };
  } finally {
    await client.close();
    await producer.disconnect();
    await admin.disconnect();
  }
}
