import { ALL_SLICES, type Alert, type PathVerdicts, aggregateSnapshotSchema, alertSchema, isReplaySliceKey, type SliceValues } from '@penumbra/contracts';
import { freezeRegressions, readPathEvidence, writeVerdictMarks } from './path-counters';
import { type PathJudgeSettings, judgeRollupPaths } from './path-judge';
import { toSnapshot } from './snapshot';
import { type WindowKeys } from './window-ops';
import { readAggregate } from './window-read';
import { describeError } from '@penumbra/errors';
import { type OutgoingMessage, type ProducerPort, encodeEvent } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { type RedisClient } from '@penumbra/redis';

interface Active {
  experimentId: string;
  sliceKey: string;
  slice: SliceValues;
  start: number;
  dirty: boolean;
}

export interface SnapshotSchedulerOptions {
  redis: RedisClient;
  keys: WindowKeys;
  producer: ProducerPort;
  topic: string;
  alertsTopic: string;
  logger: Logger;
  /** The most windows tracked at once; past it new windows are not snapshotted until room frees, and an alert says so. */
  maxTracked: number;
  /** Further alerts to publish on each tick (slice caps hit). */
  alerts?: { drain(now: number): Alert[] };
  /** Read one window's aggregate; the Redis read by default. */
  read?: typeof readAggregate;
  /** The verdict settings of an experiment (its spec's compare.verdicts); undefined judges no paths. */
  pathSettings?: (experimentId: string) => PathJudgeSettings | undefined;
  /** How long the path counters are kept (the flags frozen beside them too). */
  retentionMs: number;
}

/**
 * Publishes a snapshot per experiment, slice and window: a partial one on each tick while events
 * arrive, and a closed one once the window has ended. A window that cannot be snapshotted is
 * alerted once and dropped; it never holds back the others.
 */
export class SnapshotScheduler {
  private readonly active = new Map<string, Active>();
  /** Windows touched while the tracker was full, since the last alert about it. */
  private overflowed = 0;
  private overflowAlerted = false;
  private readonly pendingAlerts: Alert[] = [];
  private readonly read: typeof readAggregate;

  constructor(private readonly o: SnapshotSchedulerOptions) {
    this.read = o.read ?? readAggregate;
  }

  get tracked(): number {
    return this.active.size;
  }

  touch(experimentId: string, sliceKey: string, slice: SliceValues, start: number): void {
    const id = `${experimentId}|${sliceKey}|${start}`;
    const a = this.active.get(id);
    if (a) a.dirty = true;
    else if (this.active.size < this.o.maxTracked) this.active.set(id, { experimentId, sliceKey, slice, start, dirty: true });
    else this.overflowed += 1;
  }

  async tick(now: number): Promise<number> {
    const messages: OutgoingMessage[] = [];
    const verdicts = new Map<string, Promise<PathVerdicts | undefined>>();
    // Judged once per experiment rollup and tick, however many of its windows are snapshotted.
    const pathsOf = (a: Active) => {
      const id = `${a.experimentId}|${a.sliceKey}`;
      let v = verdicts.get(id);
      if (!v) verdicts.set(id, (v = this.judgePaths(a.experimentId, a.sliceKey)));
      return v;
    };
    for (const [id, a] of this.active) {
      const end = a.start + this.o.keys.windowMs;
      const closed = now >= end;
      if (!a.dirty && !closed) continue;
      try {
        const merged = await this.read(this.o.redis, this.o.keys, a.experimentId, a.sliceKey, a.start, end);
        const paths = a.sliceKey === ALL_SLICES || isReplaySliceKey(a.sliceKey) ? await pathsOf(a) : undefined;
        const snapshot = toSnapshot(merged, a.slice, { start: a.start, end, closed }, now, paths);
        messages.push(encodeEvent(aggregateSnapshotSchema, snapshot, this.o.topic, a.experimentId));
        a.dirty = false;
        if (closed) this.active.delete(id);
      } catch (err) {
        // Redis away is every window's problem, not this one's: the whole tick is tried again.
        if (isUnavailable(err) || this.o.redis.status !== 'ready') throw err;
        this.active.delete(id);
        this.o.logger.error('window cannot be snapshotted; dropped from the snapshot schedule', { experimentId: a.experimentId, slice: a.sliceKey, start: a.start, err });
        this.pendingAlerts.push(
          this.alert(
            `snapshot-failed:${id}`,
            a.experimentId,
            'snapshot-failed',
            `window ${a.sliceKey} at ${a.start} of ${a.experimentId} cannot be snapshotted: ${describeError(err)}`,
            now,
            {
              slice: a.sliceKey,
              start: a.start,
            },
          ),
        );
      }
    }
    this.capAlert(now);
    this.pendingAlerts.push(...(this.o.alerts?.drain(now) ?? []));
    const alerts = this.pendingAlerts.map((x) => encodeEvent(alertSchema, x, this.o.alertsTopic, x.experimentId ?? null));
    await this.o.producer.send([...messages, ...alerts]);
    this.pendingAlerts.length = 0;
    return messages.length;
  }

  private async judgePaths(experimentId: string, rollup: string): Promise<PathVerdicts | undefined> {
    const settings = this.o.pathSettings?.(experimentId);
    if (!settings) return undefined;
    const evidence = await readPathEvidence(this.o.redis, this.o.keys, experimentId, rollup);
    if (evidence.paths.length === 0 && evidence.pairs === undefined && evidence.overflow === 0) return undefined;
    const judged = judgeRollupPaths(evidence, settings);
    const keys = { ...this.o.keys, retentionMs: this.o.retentionMs };
    await freezeRegressions(this.o.redis, keys, experimentId, rollup, judged.newlyFlagged);
    if (rollup === ALL_SLICES) await writeVerdictMarks(this.o.redis, keys, experimentId, judged.decided);
    return judged.verdicts;
  }

  private capAlert(now: number): void {
    if (this.overflowed > 0 && !this.overflowAlerted) {
      this.overflowAlerted = true;
      this.pendingAlerts.push(
        this.alert(
          `tracked-windows-cap:${now}`,
          undefined,
          'cap-reached',
          `${this.o.maxTracked} windows are tracked for snapshots, the cap; ${this.overflowed} window update(s) not snapshotted`,
          now,
          {
            cap: this.o.maxTracked,
            untracked: this.overflowed,
          },
        ),
      );
    } else if (this.overflowAlerted && this.active.size < this.o.maxTracked) {
      this.overflowAlerted = false;
      this.overflowed = 0;
    }
  }

  private alert(id: string, experimentId: string | undefined, kind: Alert['kind'], message: string, now: number, details: Record<string, unknown>): Alert {
    return alertSchema.parse({
      type: 'alert.v1',
      id: id.slice(0, 512),
      ts: now,
      ...(experimentId ? { experimentId } : {}),
      severity: 'warning',
      kind,
      source: 'aggregator',
      message: message.slice(0, 4000),
      details,
    });
  }
}

function isUnavailable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}
