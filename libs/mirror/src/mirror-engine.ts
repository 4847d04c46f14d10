import { type Pair, type PairReplay, type ReplayResult, type TrafficRecord, pairId, pairSchema } from '@penumbra/contracts';
import { type ParsedEvent, safeParseEvent } from '@penumbra/kafka';
import { type HttpReplayClient, UnsendableRequestError, decodeBody } from '@penumbra/http';
import { type CredentialPolicy, credentialPolicy } from '@penumbra/credentials';
import {
  type InFlightLimit,
  boundPair,
  checkReplayStatus,
  clampEndpoint,
  isSampled,
  matchesTarget,
  methodAllowed,
  normalizeEndpoint,
  pairWithoutCredentials,
  replayHeaders,
  safeReplayPath,
  samplingKeyOf,
  sliceOf,
  unsendableHeader,
} from '@penumbra/mirror-core';
import { type ActiveExperiment, type ExperimentRegistry } from './experiment-registry';
import { type MirrorCounts } from './mirror-counts';
import { type MirrorMetrics, type SkipReason } from './mirror-metrics';

export type MirrorOutcome = { kind: 'pair'; pair: ParsedEvent<Pair> } | { kind: 'skipped'; experimentId: string; reason: SkipReason; detail?: string };

export interface ProcessOptions {
  /** Keeps the consumer in its group while a record waits for a slot or a token. */
  heartbeat?: () => Promise<void>;
}

export interface MirrorEngineDeps {
  experiments: ExperimentRegistry;
  client: HttpReplayClient;
  metrics: MirrorMetrics;
  /** Per-experiment counts for the aggregates (coverage); the Prometheus metrics alone when absent. */
  counts?: MirrorCounts;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How credentials are hashed in the pairs written. @default the default policy, with a random key */
  credentials?: CredentialPolicy;
  /**
   * Replays retained (or corpus) traffic to this one experiment instead of mirroring live traffic:
   * the secondary answers twice, once as the reference in the primary's place and once as the
   * noise measure, and the capture's own response is never compared.
   */
  replay?: { experimentId: string; run: string; kind: PairReplay['kind'] };
}

/** How long backpressure may hold one record before it counts as overload after all. */
const BACKPRESSURE_LIMIT_FACTOR = 10;
/**
 * In skip mode, how long the candidate may go without freeing any in-flight slot before a waiting
 * record counts as overload. A healthy candidate frees slots far more often, so a burst or a
 * backlog is paced through it however long the queue; a slow one does not, and the record is
 * skipped instead of stalling consumption. Counted in polls, not wall time: while the mirror's own
 * event loop is busy (a large batch being decoded), no poll passes and the candidate is not blamed.
 */
const SLOW_CANDIDATE_POLLS = 5;
/** How often a waiting record looks again (and heartbeats). */
const SLOT_POLL_MS = 50;

/**
 * Decides, per captured record and experiment, whether to replay it, replays it to the candidate
 * and the secondary at once, and builds the pair. Never throws for a record.
 */
export class MirrorEngine {
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly credentials: CredentialPolicy;
  /** How many slots each in-flight cap has freed: the measure of whether the candidate keeps up. */
  private readonly releases = new WeakMap<InFlightLimit, number>();

  constructor(private readonly deps: MirrorEngineDeps) {
    this.credentials = deps.credentials ?? credentialPolicy();
    this.clock = deps.clock ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async process(record: TrafficRecord, options: ProcessOptions = {}): Promise<MirrorOutcome[]> {
    this.deps.metrics.seen.inc();
    const replay = this.deps.replay;
    const targeted = this.deps.experiments.list().filter((e) => (replay === undefined || e.spec.id === replay.experimentId) && matchesTarget(e, record));
    return Promise.all(targeted.map((e) => this.mirror(e, record, options)));
  }

  private skip(experimentId: string, reason: SkipReason, detail?: string): MirrorOutcome {
    this.deps.metrics.skipped.inc({ experiment: experimentId, reason });
    this.deps.counts?.skipped(experimentId, reason);
    return { kind: 'skipped', experimentId, reason, ...(detail ? { detail } : {}) };
  }

  private async mirror(e: ActiveExperiment, record: TrafficRecord, options: ProcessOptions): Promise<MirrorOutcome> {
    const { spec } = e;
    const id = spec.id;
    this.deps.metrics.matched.inc({ experiment: id });
    this.deps.counts?.matched(id);
    const replay = this.deps.replay;
    if (replay && e.origin.secondary === undefined) return this.skip(id, 'no-secondary');
    if (!isSampled(id, samplingKeyOf(record, spec.shadow.samplingKey), spec.shadow.sampleRate)) return this.skip(id, 'not-sampled');
    if (!methodAllowed(spec, record.request.method)) return this.skip(id, 'method-not-allowed');
    const candidatePath = safeReplayPath(e.basePath.candidate, record.request.path, record.request.query);
    const secondaryPath = e.basePath.secondary === undefined ? undefined : safeReplayPath(e.basePath.secondary, record.request.path, record.request.query);
    if (!candidatePath.ok) return this.skip(id, 'unsafe-path', candidatePath.reason);
    if (secondaryPath && !secondaryPath.ok) return this.skip(id, 'unsafe-path', secondaryPath.reason);
    const headers = replayHeaders(record.request.headers, spec.shadow.headers, id);
    const unsendable = unsendableHeader(headers);
    if (unsendable !== undefined) return this.skip(id, 'unsendable-header', `header ${unsendable} has a value HTTP cannot carry (CR, LF, NUL or beyond Latin-1)`);
    const body = decodeBody(record.request.body);
    if (body && body.length > spec.shadow.maxRequestBytes) return this.skip(id, 'request-too-large');
    const admitted = await this.admit(e, options);
    if (admitted !== 'ok') return this.skip(id, admitted);

    this.deps.metrics.inFlight.inc({ experiment: id });
    let built: Pair;
    try {
      const limits = { timeoutMs: spec.shadow.timeoutMs, maxResponseBytes: spec.shadow.maxResponseBytes };
      const send = (origin: string, pathAndQuery: string) =>
        this.deps.client.send(origin, { method: record.request.method, pathAndQuery, headers, ...(body ? { body } : {}) }, limits);
      const secondaryTarget = e.origin.secondary && secondaryPath?.ok ? { origin: e.origin.secondary, pathAndQuery: secondaryPath.pathAndQuery } : undefined;
      // A replay's reference (the live secondary in the stale capture's place) is asked first, and
      // the candidate and the secondary together once it answered: both are then as far in time
      // from the reference, so what differs with time (a clock, a generated id) differs for both
      // alike and is judged noise, instead of differing more often for the candidate.
      const referenceResult = replay && secondaryTarget ? await send(secondaryTarget.origin, secondaryTarget.pathAndQuery) : undefined;
      const reference = referenceResult && checkReplayStatus(referenceResult);
      if (reference) this.count(id, 'secondary', reference);
      let primary = record.response;
      if (replay) {
        if (!reference?.ok) return this.skip(id, 'reference-failed', reference && !reference.ok ? reference.error.kind : undefined);
        primary = reference.response;
      }
      const [candidateResult, secondaryResult] = await Promise.all([
        send(e.origin.candidate, candidatePath.pathAndQuery),
        secondaryTarget ? send(secondaryTarget.origin, secondaryTarget.pathAndQuery) : Promise.resolve(undefined),
      ]);
      const candidate = checkReplayStatus(candidateResult);
      const secondary = secondaryResult && checkReplayStatus(secondaryResult);
      this.count(id, 'candidate', candidate);
      if (secondary) this.count(id, 'secondary', secondary);
      // Latency is compared between calls made at the same moment, under the same load: in a
      // replay that is the secondary's answer, not the reference asked alone before them.
      if (replay && secondary?.ok) primary = { ...primary, latencyMs: secondary.response.latencyMs };
      built = {
        type: 'pair.v1',
        id: pairId(id, record.id, replay !== undefined),
        ts: replay ? this.clock() : record.ts,
        experimentId: id,
        trafficId: record.id,
        source: 'mirror',
        endpoint: clampEndpoint(normalizeEndpoint(record.request.method, record.request.path, e.endpointTemplates)),
        slice: sliceOf(record.attributes, spec.slices.attributes),
        request: { method: record.request.method, path: record.request.path, query: record.request.query },
        primary,
        candidate,
        ...(secondary ? { secondary } : {}),
        ...(replay ? { replay: { run: replay.run, kind: replay.kind, capturedAt: record.ts } } : {}),
      };
    } catch (err) {
      if (err instanceof UnsendableRequestError) return this.skip(id, 'unsendable-request', err.message);
      throw err;
    } finally {
      this.releases.set(e.inFlight, (this.releases.get(e.inFlight) ?? 0) + 1);
      e.inFlight.release();
      this.deps.metrics.inFlight.dec({ experiment: id });
    }
    return this.validated(built);
  }

  /** The pair as it will be produced, checked on its own so that one bad pair never fails its batch. */
  private validated(built: Pair): MirrorOutcome {
    const bounded = boundPair(pairWithoutCredentials(built, this.credentials));
    if (!bounded.ok) return this.skip(built.experimentId, 'pair-too-large', bounded.reason);
    const parsed = safeParseEvent(pairSchema, bounded.pair);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      return this.skip(built.experimentId, 'invalid-pair', `pair does not satisfy pair.v1: ${detail}`.slice(0, 2000));
    }
    this.deps.metrics.sampled.inc({ experiment: built.experimentId });
    this.deps.counts?.mirrored(built.experimentId);
    return { kind: 'pair', pair: parsed.data };
  }

  /** Takes a rate token and an in-flight slot, or says which cap refused; waits are bounded and heartbeat. */
  private async admit(e: ActiveExperiment, options: ProcessOptions): Promise<'ok' | 'rate-limit' | 'overload'> {
    const backpressure = e.spec.shadow.onOverload === 'backpressure';
    const deadline = this.clock() + e.spec.shadow.timeoutMs * BACKPRESSURE_LIMIT_FACTOR;
    while (!e.bucket.tryTake(this.clock())) {
      if (!backpressure || this.clock() > deadline) return 'rate-limit';
      await this.sleep(Math.min(SLOT_POLL_MS, Math.max(1, e.bucket.waitMs(this.clock()))));
      await this.heartbeat(options);
    }
    let seen = this.releases.get(e.inFlight) ?? 0;
    let idlePolls = 0;
    for (;;) {
      if (await e.inFlight.acquire(SLOT_POLL_MS)) return 'ok';
      await this.heartbeat(options);
      if (backpressure) {
        if (this.clock() > deadline) return 'overload';
        continue;
      }
      // Answers that arrived while this poll's timer was due are handled first: they free slots.
      await new Promise((resolve) => setImmediate(resolve));
      const released = this.releases.get(e.inFlight) ?? 0;
      idlePolls = released === seen ? idlePolls + 1 : 0;
      seen = released;
      if (idlePolls >= SLOW_CANDIDATE_POLLS) return 'overload';
    }
  }

  private async heartbeat(options: ProcessOptions): Promise<void> {
    // A failed heartbeat means the group is rebalancing: the consumer learns it on its own next
    // heartbeat and drops the batch; the record in hand still finishes.
    await options.heartbeat?.().catch(() => undefined);
  }

  private count(experiment: string, side: 'candidate' | 'secondary', result: ReplayResult): void {
    const outcome = result.ok ? 'ok' : result.error.kind;
    this.deps.metrics.replays.inc({ experiment, side, outcome });
    const latency = result.ok ? result.response.latencyMs : result.error.latencyMs;
    if (latency !== undefined) this.deps.metrics.replaySeconds.observe({ side }, latency / 1000);
  }
}
