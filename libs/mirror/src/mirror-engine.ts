import { type Pair, type ReplayResult, type TrafficRecord, pairId } from '@penumbra/contracts';
import { type HttpReplayClient, decodeBody } from '@penumbra/http';
import { type CredentialPolicy, credentialPolicy } from '@penumbra/credentials';
import { isSampled, matchesTarget, methodAllowed, normalizeEndpoint, pairWithoutCredentials, replayHeaders, safeReplayPath, samplingKeyOf, sliceOf } from '@penumbra/mirror-core';
import { type ActiveExperiment, type ExperimentRegistry } from './experiment-registry';
import { type MirrorMetrics, type SkipReason } from './mirror-metrics';

export type MirrorOutcome = { kind: 'pair'; pair: Pair } | { kind: 'skipped'; experimentId: string; reason: SkipReason };

export interface MirrorEngineDeps {
  experiments: ExperimentRegistry;
  client: HttpReplayClient;
  metrics: MirrorMetrics;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How credentials are hashed in the pairs written. @default the default policy, with a random key */
  credentials?: CredentialPolicy;
}

/** How long backpressure may hold one record before it counts as overload after all. */
const BACKPRESSURE_LIMIT_FACTOR = 10;
/**
 * In skip mode, how long a record may wait for an in-flight slot. A healthy candidate frees
 * slots within it, so a burst is paced rather than dropped; a slow one does not, and the record
 * is skipped as overload instead of stalling consumption.
 */
const SKIP_MODE_SLOT_WAIT_MS = 250;

/**
 * Decides, per captured record and experiment, whether to replay it, replays it to the candidate
 * and the secondary at once, and builds the pair. Never throws for a record.
 */
export class MirrorEngine {
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly credentials: CredentialPolicy;

  constructor(private readonly deps: MirrorEngineDeps) {
    this.credentials = deps.credentials ?? credentialPolicy();
    this.clock = deps.clock ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async process(record: TrafficRecord): Promise<MirrorOutcome[]> {
    this.deps.metrics.seen.inc();
    const targeted = this.deps.experiments.list().filter((e) => matchesTarget(e, record));
    return Promise.all(targeted.map((e) => this.mirror(e, record)));
  }

  private skip(experimentId: string, reason: SkipReason): MirrorOutcome {
    this.deps.metrics.skipped.inc({ experiment: experimentId, reason });
    return { kind: 'skipped', experimentId, reason };
  }

  private async mirror(e: ActiveExperiment, record: TrafficRecord): Promise<MirrorOutcome> {
    const { spec } = e;
    const id = spec.id;
    this.deps.metrics.matched.inc({ experiment: id });
    if (!isSampled(id, samplingKeyOf(record, spec.shadow.samplingKey), spec.shadow.sampleRate)) return this.skip(id, 'not-sampled');
    if (!methodAllowed(spec, record.request.method)) return this.skip(id, 'method-not-allowed');
    const candidatePath = safeReplayPath(e.basePath.candidate, record.request.path, record.request.query);
    const secondaryPath = e.basePath.secondary === undefined ? undefined : safeReplayPath(e.basePath.secondary, record.request.path, record.request.query);
    if (!candidatePath.ok || (secondaryPath && !secondaryPath.ok)) return this.skip(id, 'unsafe-path');
    const body = decodeBody(record.request.body);
    if (body && body.length > spec.shadow.maxRequestBytes) return this.skip(id, 'request-too-large');
    const admitted = await this.admit(e);
    if (admitted !== 'ok') return this.skip(id, admitted);

    this.deps.metrics.sampled.inc({ experiment: id });
    this.deps.metrics.inFlight.inc({ experiment: id });
    try {
      const headers = replayHeaders(record.request.headers, spec.shadow.headers, id);
      const limits = { timeoutMs: spec.shadow.timeoutMs, maxResponseBytes: spec.shadow.maxResponseBytes };
      const send = (origin: string, pathAndQuery: string) =>
        this.deps.client.send(origin, { method: record.request.method, pathAndQuery, headers, ...(body ? { body } : {}) }, limits);
      const [candidate, secondary] = await Promise.all([
        send(e.origin.candidate, candidatePath.pathAndQuery),
        e.origin.secondary && secondaryPath?.ok ? send(e.origin.secondary, secondaryPath.pathAndQuery) : Promise.resolve(undefined),
      ]);
      this.count(id, 'candidate', candidate);
      if (secondary) this.count(id, 'secondary', secondary);
      // Built to the contract's type; the producer parses it once more before it leaves (encodeEvent).
      const pair: Pair = {
        type: 'pair.v1',
        id: pairId(id, record.id),
        ts: record.ts,
        experimentId: id,
        trafficId: record.id,
        source: 'mirror',
        endpoint: normalizeEndpoint(record.request.method, record.request.path, e.endpointTemplates),
        slice: sliceOf(record.attributes, spec.slices.attributes),
        request: { method: record.request.method, path: record.request.path, query: record.request.query },
        primary: record.response,
        candidate,
        ...(secondary ? { secondary } : {}),
      };
      return { kind: 'pair', pair: pairWithoutCredentials(pair, this.credentials) };
    } finally {
      e.inFlight.release();
      this.deps.metrics.inFlight.dec({ experiment: id });
    }
  }

  /** Takes a rate token and an in-flight slot, or says which cap refused; backpressure waits, boundedly. */
  private async admit(e: ActiveExperiment): Promise<'ok' | 'rate-limit' | 'overload'> {
    const backpressure = e.spec.shadow.onOverload === 'backpressure';
    const deadline = this.clock() + e.spec.shadow.timeoutMs * BACKPRESSURE_LIMIT_FACTOR;
    while (!e.bucket.tryTake(this.clock())) {
      if (!backpressure || this.clock() > deadline) return 'rate-limit';
      await this.sleep(Math.min(50, Math.max(1, e.bucket.waitMs(this.clock()))));
    }
    const slotWait = backpressure ? Math.max(0, deadline - this.clock()) : SKIP_MODE_SLOT_WAIT_MS;
    return (await e.inFlight.acquire(slotWait)) ? 'ok' : 'overload';
  }

  private count(experiment: string, side: 'candidate' | 'secondary', result: ReplayResult): void {
    const outcome = result.ok ? 'ok' : result.error.kind;
    this.deps.metrics.replays.inc({ experiment, side, outcome });
    const latency = result.ok ? result.response.latencyMs : result.error.latencyMs;
    if (latency !== undefined) this.deps.metrics.replaySeconds.observe({ side }, latency / 1000);
  }
}
