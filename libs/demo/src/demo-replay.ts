import { type ExperimentRecord, type TopicKey } from '@penumbra/contracts';
import { type KafkaClient } from '@penumbra/kafka';
import { type RetainedReplayResult, replayRetained } from '@penumbra/mirror';
import { type ReplayWindow, parseDestinationPolicy, parseReplayPace } from '@penumbra/mirror-core';
import { credentialPolicy } from '@penumbra/credentials';
import { LoadGenerator } from './load-generator';

/**
 * The replay scenario's service: a low-traffic one. Yesterday it served a burst that Kafka still
 * retains; today it serves a trickle, too little for a live stage to decide on soon.
 */
export const REPLAY_DEMO = {
  /** Requests per second of the retained burst. @default 200 */
  capturedRatePerSec: 200,
  /** How long the retained burst lasts. @default 8 */
  capturedSeconds: 8,
  /** Live requests per second while the experiment runs. @default 2 */
  liveRatePerSec: 2,
  /**
   * Replayed requests per second. The demo's services share two cores with the fleet, and a replay
   * at full speed would measure that contention in every latency. @default 150
   */
  replayRatePerSec: 150,
} as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Traffic captured before the experiment exists: the mirror only retains it, so a replay can reach it later. */
export async function captureRetainedTraffic(teeUrl: string, progress: (text: string) => void): Promise<ReplayWindow & { requests: number }> {
  const from = Date.now();
  progress(`retained traffic: ${REPLAY_DEMO.capturedRatePerSec} requests/s for ${REPLAY_DEMO.capturedSeconds} s through the capture tee, before the experiment exists`);
  const load = new LoadGenerator(teeUrl, REPLAY_DEMO.capturedRatePerSec);
  load.start();
  await sleep(REPLAY_DEMO.capturedSeconds * 1000);
  await load.stop();
  // The tee publishes in small batches; the margin lets the last of them land inside the window.
  await sleep(1_000);
  return { from, to: Date.now(), requests: load.stats.ok };
}

/** Replays the retained window to the experiment at a steady rate, with the mirror's own rules. */
export function replayToExperiment(o: {
  kafka: KafkaClient;
  record: ExperimentRecord;
  topics: Record<TopicKey, string>;
  window: ReplayWindow;
  progress: (text: string) => void;
}): Promise<RetainedReplayResult> {
  return replayRetained({
    kafka: o.kafka,
    record: o.record,
    topics: o.topics,
    window: o.window,
    pace: parseReplayPace(undefined, `${REPLAY_DEMO.replayRatePerSec}/s`),
    destinations: parseDestinationPolicy(['127.0.0.1/32']),
    credentials: credentialPolicy({}),
    onPlanned: (run, total) => o.progress(`replay ${run}: ${total} retained records to ${o.record.experimentId}, counted apart from live evidence`),
  });
}

/** How long a live stage would wait for the same evidence at the live rate. */
export function liveSecondsFor(samples: number): number {
  return Math.ceil(samples / REPLAY_DEMO.liveRatePerSec);
}
