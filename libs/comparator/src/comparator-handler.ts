import { type VerdictMark } from '@penumbra/aggregates';
import { type ExperimentSpec, type Pair, diffEventSchema } from '@penumbra/contracts';
import { type CredentialPolicy, credentialPolicy } from '@penumbra/credentials';
import { type BatchHandler, type ProducerPort, encodeEvent } from '@penumbra/kafka';
import { pairWithoutCredentials } from '@penumbra/mirror-core';
import { type CompareConfig, type PairComparison, comparePair, compareConfigOf } from './compare-pair';
import { type ComparatorMetrics } from './comparator-metrics';
import { diffEventWithoutCredentials } from './diff-credentials';
import { judgeNoise } from './noise-judge';
import { type NoiseStore } from './noise-store';

export interface ComparatorDeps {
  experiments: (id: string) => ExperimentSpec | undefined;
  /** True for an experiment the sentinel halted: its pairs are skipped, not diffed. */
  halted?: (id: string) => boolean;
  store: NoiseStore;
  producer: ProducerPort;
  diffsTopic: string;
  keyPrefix: string;
  maxBodyBytes: number;
  maxJsonDepth?: number;
  metrics: ComparatorMetrics;
  clock?: () => number;
  /** How credentials are hashed in the diffs written. @default the default policy, with a random key */
  credentials?: CredentialPolicy;
  /** The paths the per-path verdicts decided, for experiments with `compare.noise.method: sequential`. */
  decidedPaths?: (experimentId: string) => Promise<Map<string, VerdictMark>>;
}

/** Compiles each experiment's compare rules once per version of its spec. */
class ConfigCache {
  private readonly cache = new WeakMap<ExperimentSpec, CompareConfig>();
  constructor(
    private readonly maxBodyBytes: number,
    private readonly maxJsonDepth: number | undefined,
  ) {}
  get(spec: ExperimentSpec): CompareConfig {
    let c = this.cache.get(spec);
    if (!c) {
      c = compareConfigOf(spec, this.maxBodyBytes, this.maxJsonDepth);
      this.cache.set(spec, c);
    }
    return c;
  }
}

/** Diffs a batch of pairs, judges noise with the shared counters, and makes the diff events durable. */
export function comparatorHandler(deps: ComparatorDeps): BatchHandler<Pair> {
  const configs = new ConfigCache(deps.maxBodyBytes, deps.maxJsonDepth);
  const clock = deps.clock ?? Date.now;
  const credentials = deps.credentials ?? credentialPolicy();
  return async (records) => {
    const comparisons = records.flatMap((r) => {
      const spec = deps.experiments(r.value.experimentId);
      // Counted under one bounded label: experiment ids of unknown experiments come from whoever produced the pair.
      if (!spec) return skip(deps.metrics, 'unknown');
      if (deps.halted?.(r.value.experimentId)) return skip(deps.metrics, 'halted');
      const config = configs.get(spec);
      const timer = deps.metrics.diffSeconds.startTimer();
      // Hashed before comparing, so a header difference can only ever show hashes.
      const c = comparePair(pairWithoutCredentials(r.value, credentials), config);
      timer();
      return [{ c, config }];
    });
    if (comparisons.length === 0) return;
    const judged = await judgeNoise(comparisons, deps.store, deps.keyPrefix, clock(), await decidedOf(comparisons, deps.decidedPaths));
    for (const e of judged.events) {
      deps.metrics.outcomes.inc({ experiment: e.experimentId, outcome: e.outcome });
      if (e.suppressedNoise.length) deps.metrics.suppressed.inc({ experiment: e.experimentId }, e.suppressedNoise.length);
      if (e.suspectedNoise.length) deps.metrics.suspected.inc({ experiment: e.experimentId }, e.suspectedNoise.length);
    }
    const events = judged.events.map((e) => diffEventWithoutCredentials(e, credentials));
    await deps.producer.send(events.map((e) => encodeEvent(diffEventSchema, e, deps.diffsTopic, e.id)));
  };
}

async function decidedOf(comparisons: Array<{ c: PairComparison; config: CompareConfig }>, read: ComparatorDeps['decidedPaths']): Promise<Map<string, Map<string, VerdictMark>>> {
  const ids = new Set(comparisons.filter((x) => x.config.noise.method === 'sequential').map((x) => x.c.pair.experimentId));
  if (!read || ids.size === 0) return new Map();
  return new Map(await Promise.all([...ids].map(async (id): Promise<[string, Map<string, VerdictMark>]> => [id, await read(id)])));
}

function skip(metrics: ComparatorMetrics, reason: 'unknown' | 'halted'): [] {
  metrics.skipped.inc({ reason });
  return [];
}
