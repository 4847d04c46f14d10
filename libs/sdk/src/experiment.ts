import { SDK_DEFAULTS } from './defaults';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type HttpMethod, type ReplayResult, type SliceValues, pairId, pairSchema } from '@penumbra/contracts';
import { isSampled } from '@penumbra/mirror-core';
import { type Outcome, candidateResult, snapshotOf } from './snapshot';
import { type PairSink } from './pair-publisher';

export interface ExperimentOptions {
  /** The experiment as published on `shadow.experiments`: its policy decides on these pairs. */
  experimentId: string;
  sink: PairSink;
  /** Share of calls that run the candidate, by a consistent hash of the call's key (as the mirror samples). */
  sampleRate?: number;
  /** The candidate's time bound; past it the pair says `timeout` and the caller never knew. */
  timeoutMs?: number;
  /** Candidates running at once; past it the call is not shadowed and its pair says `overload`. */
  maxInFlight?: number;
  /** The endpoint pairs are reported under, unless a call names its own. */
  endpoint?: string;
  /** A result larger than this as JSON is not published whole (primary) or is `too-large` (candidate). */
  maxBodyBytes?: number;
  /** Turns a result into what is compared; the default compares the value itself as JSON. */
  serialize?: (value: unknown) => unknown;
  /** Monotonic milliseconds, for latencies. */
  clock?: () => number;
  /** Epoch milliseconds, for the pair's timestamp. */
  now?: () => number;
  random?: () => number;
  newId?: () => string;
}

export interface RunOptions<T> {
  control: () => T | Promise<T>;
  /** Gets an AbortSignal that fires on timeout; omitted (no shadow), the call runs the control alone. */
  candidate?: ((signal: AbortSignal) => T | Promise<T>) | undefined;
  /** The sampling key (a tenant, a user): the same key is always in or always out. Defaults to the call's own id. */
  key?: string;
  /** The call's id, unique per call; the pair id is `<experiment>:<trafficId>`. */
  trafficId?: string;
  endpoint?: string;
  slice?: SliceValues;
  /** How the call is described in the pair; an in-process call has no HTTP request of its own. */
  request?: { method?: HttpMethod; path?: string; query?: string };
}

export interface ExperimentCounters {
  runs: number;
  /** Calls that ran the candidate, or would have but for the concurrency bound. */
  sampled: number;
  notSampled: number;
  /** Calls made while the experiment was disabled (kill switch), or without a candidate. */
  controlOnly: number;
  candidateErrors: number;
  timeouts: number;
  overloads: number;
  pairs: number;
  /** The control's result could not be written as JSON within the size bound: no pair. */
  unpublishable: number;
}

/**
 * An in-process experiment, as GitHub's Scientist runs one: the control and the candidate start
 * in random order, the caller gets the control's result (or its error) as soon as the control is
 * done, and the candidate, bounded in time and concurrency, never affects what the caller sees.
 * Each sampled call becomes a Pair on `shadow.pairs`, so the comparator, aggregator and sentinel
 * judge it like mirrored traffic.
 */
export class Experiment {
  readonly id: string;
  private enabled = true;
  private disabledReason: string | undefined;
  private inFlight = 0;
  private readonly pending = new Set<Promise<void>>();
  private readonly tally: ExperimentCounters = { runs: 0, sampled: 0, notSampled: 0, controlOnly: 0, candidateErrors: 0, timeouts: 0, overloads: 0, pairs: 0, unpublishable: 0 };
  private readonly o: Required<Omit<ExperimentOptions, 'experimentId' | 'sink'>>;

  constructor(private readonly options: ExperimentOptions) {
    this.id = options.experimentId;
    this.o = {
      sampleRate: options.sampleRate ?? SDK_DEFAULTS.experiment.sampleRate,
      timeoutMs: options.timeoutMs ?? SDK_DEFAULTS.experiment.timeoutMs,
      maxInFlight: options.maxInFlight ?? SDK_DEFAULTS.experiment.maxInFlight,
      endpoint: options.endpoint ?? SDK_DEFAULTS.experiment.endpoint,
      maxBodyBytes: options.maxBodyBytes ?? SDK_DEFAULTS.experiment.maxBodyBytes,
      serialize: options.serialize ?? ((v) => v),
      clock: options.clock ?? (() => performance.now()),
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
      newId: options.newId ?? randomUUID,
    };
  }

  counters(): ExperimentCounters {
    return { ...this.tally };
  }

  /** Candidates still running (a timed-out one holds its slot until it really ends). */
  get running(): number {
    return this.inFlight;
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  /** The kill switch: from now on every call runs the control alone. */
  disable(reason = 'disabled'): void {
    this.enabled = false;
    this.disabledReason = reason;
  }

  enable(): void {
    this.enabled = true;
    this.disabledReason = undefined;
  }

  get whyDisabled(): string | undefined {
    return this.disabledReason;
  }

  async run<T>(call: RunOptions<T>): Promise<T> {
    this.tally.runs += 1;
    const candidate = call.candidate;
    if (!this.enabled || candidate === undefined) {
      this.tally.controlOnly += 1;
      return call.control();
    }
    const trafficId = call.trafficId ?? this.o.newId();
    if (!isSampled(this.id, call.key ?? `id:${trafficId}`, this.o.sampleRate)) {
      this.tally.notSampled += 1;
      return call.control();
    }
    this.tally.sampled += 1;
    let controlRun: Promise<Outcome<T>>;
    let candidateRun: Promise<ReplayResult>;
    if (this.o.random() < 0.5) {
      controlRun = this.measure(call.control);
      candidateRun = this.startCandidate(candidate);
    } else {
      candidateRun = this.startCandidate(candidate);
      controlRun = this.measure(call.control);
    }
    const control = await controlRun;
    this.track(candidateRun.then((result) => this.publish(call, trafficId, control, result)));
    if (!control.ok) throw control.error;
    return control.value;
  }

  /** Resolves once every pair of the calls made so far has been offered to the sink. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async measure<T>(fn: () => T | Promise<T>): Promise<Outcome<T>> {
    const started = this.o.clock();
    try {
      const value = await fn();
      return { ok: true, value, latencyMs: this.o.clock() - started };
    } catch (error) {
      return { ok: false, error, latencyMs: this.o.clock() - started };
    }
  }

  private startCandidate<T>(fn: (signal: AbortSignal) => T | Promise<T>): Promise<ReplayResult> {
    if (this.inFlight >= this.o.maxInFlight) {
      this.tally.overloads += 1;
      return Promise.resolve({ ok: false, error: { kind: 'overload', message: `${this.inFlight} candidates already running (maxInFlight ${this.o.maxInFlight})`, latencyMs: 0 } });
    }
    this.inFlight += 1;
    const abort = new AbortController();
    const run = this.measure(() => fn(abort.signal));
    void run.finally(() => (this.inFlight -= 1));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.o.timeoutMs)));
    return Promise.race([run, timedOut]).then((outcome): ReplayResult => {
      clearTimeout(timer);
      if (outcome === 'timeout') {
        abort.abort();
        this.tally.timeouts += 1;
        return { ok: false, error: { kind: 'timeout', message: `the candidate took longer than ${this.o.timeoutMs} ms`, latencyMs: this.o.timeoutMs } };
      }
      if (!outcome.ok) this.tally.candidateErrors += 1;
      return candidateResult(outcome, this.o.serialize, this.o.maxBodyBytes);
    });
  }

  private publish<T>(call: RunOptions<T>, trafficId: string, control: Outcome<T>, candidate: ReplayResult): void {
    const primary = snapshotOf(control, this.o.serialize, this.o.maxBodyBytes);
    if (!primary.ok) {
      this.tally.unpublishable += 1;
      return;
    }
    const endpoint = call.endpoint ?? this.o.endpoint;
    const pair = pairSchema.safeParse({
      type: 'pair.v1',
      id: pairId(this.id, trafficId),
      ts: this.o.now(),
      experimentId: this.id,
      trafficId,
      source: 'sdk',
      endpoint,
      slice: call.slice ?? {},
      request: { method: call.request?.method ?? 'GET', path: call.request?.path ?? `/${endpoint.replace(/^\/+/, '')}`, query: call.request?.query ?? '' },
      primary: primary.snapshot,
      candidate,
    });
    if (!pair.success) {
      this.tally.unpublishable += 1;
      return;
    }
    this.tally.pairs += 1;
    this.options.sink.offer(pair.data);
  }
}
