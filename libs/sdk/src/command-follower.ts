import { SDK_DEFAULTS } from './defaults';
import { createHash, randomBytes } from 'node:crypto';
import { type Ack, type Command, type SigningKey, type TrustedKeys, ackSchema, commandSchema, signMessage, verifyMessage } from '@penumbra/contracts';
import { type RetryOptions, describeError, retry } from '@penumbra/errors';
import { type BatchControl, type ConsumerPort, type FetchedBatch, type KafkaClient, type ProducerPort, decodeRecord, encodeEvent } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { quietLogger } from './quiet-logger';
import { type CommandTarget } from './adaptive-target';
import { BoundedIds } from './bounded-ids';

export interface CommandFollowerOptions {
  client: KafkaClient;
  /** Sends the acknowledgements; acks from all in-sync replicas. */
  producer: ProducerPort;
  topics: { commands: string; acks: string };
  experimentId: string;
  /** The slice whose commands this follower applies; `*` (the default) is the experiment as a whole. */
  slice?: string;
  target: CommandTarget;
  /**
   * The sentinel's public keys (loadTrustedKeys): a command no trusted key signed is never applied,
   * never acknowledged and never moves the state version, whoever wrote it to the topic.
   */
  trustedKeys: TrustedKeys;
  /** This applier's own key (loadSigningKey): the sentinel clears a command's deadline only for a signed ack. */
  ackKey: SigningKey;
  /** Who applied the command, in the ack and the audit: a service and instance name. */
  appliedBy: string;
  /** The consumer group; unique per process unless given (see defaultFollowerGroup). */
  groupId?: string;
  logger?: Logger;
  /** Command ids remembered for idempotency. */
  rememberIds?: number;
  /** Commands older than this found while catching up are applied without an ack: the sentinel stopped waiting for them long ago. */
  ackWithinMs?: number;
  ackRetry?: RetryOptions;
  clock?: () => number;
}

export type FollowOutcome = 'applied' | 'failed' | 'skipped' | 'duplicate' | 'dry-run' | 'not-mine' | 'forged';

export interface FollowerCounters {
  applied: number;
  failed: number;
  skipped: number;
  duplicates: number;
  dryRun: number;
  invalid: number;
  /** Commands refused because no trusted key signed them. */
  forged: number;
  acksSent: number;
  acksFailed: number;
}

/** A fresh group per process start: every process sees every command, and each start catches up from the earliest retained one. */
export function defaultFollowerGroup(experimentId: string, appliedBy: string, prefix = 'penumbra.'): string {
  return `${prefix}sdk.${experimentId}.${appliedBy.replace(/[^A-Za-z0-9._-]+/g, '-')}.${randomBytes(4).toString('hex')}`;
}

/** Deterministic, so a second ack for the same command by the same applier is recognisable. */
export function ackIdOf(commandId: string, appliedBy: string): string {
  return `ack-${createHash('sha256').update(commandId).update('\0').update(appliedBy).digest('hex').slice(0, 40)}`;
}

/**
 * Follows `shadow.commands` for one experiment and applies each live command to its target once,
 * by command id, in order; dry-run commands are ignored, a command older than one already applied
 * (by state version) is skipped as stale. Every live command applied, failed or skipped is
 * acknowledged on `shadow.acks`, which clears the sentinel's deadline for it.
 */
export class CommandFollower {
  private consumer: ConsumerPort | undefined;
  private readonly remembered: BoundedIds;
  private lastVersion = -1;
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly slice: string;
  private readonly tally: FollowerCounters = { applied: 0, failed: 0, skipped: 0, duplicates: 0, dryRun: 0, invalid: 0, forged: 0, acksSent: 0, acksFailed: 0 };
  private readonly abort = new AbortController();

  constructor(private readonly options: CommandFollowerOptions) {
    this.remembered = new BoundedIds(options.rememberIds ?? SDK_DEFAULTS.commandFollower.rememberIds);
    this.logger = options.logger ?? quietLogger;
    this.clock = options.clock ?? Date.now;
    this.slice = options.slice ?? '*';
  }

  counters(): FollowerCounters {
    return { ...this.tally };
  }

  async start(): Promise<void> {
    if (this.consumer) return;
    const o = this.options;
    const consumer = o.client.consumer({
      groupId: o.groupId ?? defaultFollowerGroup(o.experimentId, o.appliedBy),
      sessionTimeoutMs: SDK_DEFAULTS.commandFollower.sessionTimeoutMs,
    });
    this.consumer = consumer;
    consumer.onCrash((err, willRestart) => this.logger.error('command follower crashed', { err, willRestart, experimentId: o.experimentId }));
    await consumer.subscribe([o.topics.commands], { fromBeginning: true });
    await consumer.run((batch, control) => this.onBatch(batch, control));
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    this.abort.abort();
    await consumer?.disconnect();
  }

  /** Applies one command (the consumer calls it for every record of the experiment). */
  async handle(command: Command): Promise<FollowOutcome> {
    const o = this.options;
    if (command.experimentId !== o.experimentId || (command.slice ?? '*') !== this.slice) return 'not-mine';
    const verified = verifyMessage(command, o.trustedKeys);
    if (!verified.ok) {
      this.tally.forged += 1;
      this.logger.error('command refused: not signed by a trusted sentinel key', { experimentId: command.experimentId, commandId: command.id, reason: verified.reason });
      return 'forged';
    }
    if (command.dryRun) {
      this.tally.dryRun += 1;
      return 'dry-run';
    }
    if (this.remembered.has(command.id)) {
      this.tally.duplicates += 1;
      return 'duplicate';
    }
    let outcome: { result: Ack['result']; reason?: string };
    if (command.stateVersion < this.lastVersion) {
      outcome = { result: 'skipped', reason: `stale: a command of state version ${this.lastVersion} was already applied` };
    } else {
      try {
        outcome = await o.target.apply(command);
      } catch (err) {
        outcome = { result: 'failed', reason: describeError(err).slice(0, 2000) };
      }
      this.lastVersion = Math.max(this.lastVersion, command.stateVersion);
    }
    this.remembered.add(command.id);
    this.tally[outcome.result] += 1;
    this.logger.info('command handled', {
      experimentId: command.experimentId,
      commandId: command.id,
      action: command.action,
      toStage: command.toStage,
      result: outcome.result,
      reason: outcome.reason,
    });
    if (this.clock() - command.ts <= (o.ackWithinMs ?? SDK_DEFAULTS.commandFollower.ackWithinMs)) await this.acknowledge(command, outcome);
    return outcome.result;
  }

  private async acknowledge(command: Command, outcome: { result: Ack['result']; reason?: string }): Promise<void> {
    const o = this.options;
    const ack: Ack = {
      type: 'ack.v1',
      id: ackIdOf(command.id, o.appliedBy),
      ts: this.clock(),
      experimentId: command.experimentId,
      commandId: command.id,
      appliedBy: o.appliedBy,
      result: outcome.result,
      ...(outcome.reason !== undefined ? { reason: outcome.reason.slice(0, 2000) } : {}),
    };
    try {
      const message = encodeEvent(ackSchema, signMessage(ackSchema.parse(ack), o.ackKey), o.topics.acks, command.experimentId);
      await retry(() => o.producer.send([message]), { attempts: 5, initialDelayMs: 200, maxDelayMs: 3_000, ...o.ackRetry, signal: this.abort.signal });
      this.tally.acksSent += 1;
    } catch (err) {
      this.tally.acksFailed += 1;
      this.logger.error('acknowledgement not sent; the sentinel will raise command-unacknowledged', { err, commandId: command.id });
    }
  }

  private async onBatch(batch: FetchedBatch, control: BatchControl): Promise<void> {
    for (const record of batch.records) {
      if (control.isStale()) return;
      const decoded = decodeRecord(record.value, commandSchema);
      if (!decoded.ok) {
        // The sentinel's and audit-sink's consumers dead-letter and audit it; every SDK process doing the same would multiply it.
        this.tally.invalid += 1;
        this.logger.warn('invalid command skipped', { topic: record.topic, partition: record.partition, offset: record.offset, reason: decoded.reason });
      } else if (decoded.value.experimentId === this.options.experimentId) {
        await this.handle(decoded.value);
      }
      control.resolveOffset(record.offset);
    }
    const last = batch.records[batch.records.length - 1];
    if (last) await control.commit((BigInt(last.offset) + 1n).toString());
    await control.heartbeat();
  }
}
