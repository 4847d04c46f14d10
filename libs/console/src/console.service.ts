import { type IncomingMessage } from 'node:http';
import { type OnApplicationBootstrap, type OnApplicationShutdown, UnauthorizedException } from '@nestjs/common';
import { type ProducerPort } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { type ConsoleUser, authenticate } from './auth';
import { type ConsoleSources } from './console-sources';
import { type ControlAnswer, type ControlForm, sendControl } from './control';
import { EventHub, changedIds } from './event-hub';
import { fingerprint } from './experiment-views';
import { type OperatorSigner } from './operator-signing';

export const CONSOLE_DEFAULTS = {
  /** Rounds of change detection without a change before the event streams get a ping. @default 15 */
  pingEveryRounds: 15,
  /** How long a control request waits for the sentinel's answer. @default 30_000 */
  controlWaitMs: 30_000,
  /** The least time between two rounds of change detection that a published record asks for. @default 500 */
  nudgeGapMs: 500,
} as const;

export interface ConsoleOptions {
  users: ConsoleUser[];
  /** Signs control requests as the user's operator; without it they go unsigned, and a sentinel that checks signatures refuses them. */
  signer: OperatorSigner | undefined;
  sources: ConsoleSources;
  producer: ProducerPort;
  logger: Logger;
  maxStreams: number;
  pushIntervalMs: number;
}

/**
 * What the console's pages and API share: who may log in, the sources it reads, the event streams
 * it pushes changes to, and the control requests it sends. Change detection runs only while
 * someone watches; a round still running skips the next.
 */
export class ConsoleService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly users: ConsoleUser[];
  readonly sources: ConsoleSources;
  readonly hub: EventHub;
  private fingerprints = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private rounds = 0;
  private lastRoundAt = 0;

  constructor(private readonly options: ConsoleOptions) {
    this.users = options.users;
    this.sources = options.sources;
    this.hub = new EventHub(options.maxStreams);
  }

  /** The logged-in user of a request (the middleware let only those through). */
  user(req: IncomingMessage): ConsoleUser {
    const user = authenticate(this.users, req.headers.authorization);
    if (user === undefined) throw new UnauthorizedException('log in: a bearer token or basic auth from the console users file');
    return user;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.push(), this.options.pushIntervalMs);
    this.timer.unref();
    this.options.logger.info('console ready', { users: this.users.length, operators: this.options.signer?.operators ?? [] });
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.hub.closeAll();
  }

  /**
   * Looks for changes now rather than at the next round: something the pages show has just
   * happened. Snapshots arrive in bursts, so a nudge soon after a round is left to the next one.
   */
  nudge(): void {
    if (Date.now() - this.lastRoundAt >= CONSOLE_DEFAULTS.nudgeGapMs) void this.push();
  }

  private async push(): Promise<void> {
    if (this.busy || this.hub.size === 0) return;
    this.busy = true;
    this.lastRoundAt = Date.now();
    try {
      const next = new Map<string, string>();
      for (const record of this.sources.experiments()) next.set(record.experimentId, await fingerprint(this.sources, record));
      const ids = changedIds(this.fingerprints, next);
      this.fingerprints = next;
      if (ids.length > 0) this.hub.send('changed', { ids });
      else if (++this.rounds % CONSOLE_DEFAULTS.pingEveryRounds === 0) this.hub.ping();
    } catch (err) {
      this.options.logger.warn('change detection failed; trying again next round', { err });
    } finally {
      this.busy = false;
    }
  }

  async control(experimentId: string, user: ConsoleUser, form: ControlForm): Promise<ControlAnswer> {
    const deps = { sources: this.sources, producer: () => Promise.resolve(this.options.producer), signer: this.options.signer, waitMs: CONSOLE_DEFAULTS.controlWaitMs };
    const answer = await sendControl(deps, experimentId, user.operator, form);
    this.options.logger.info('control request', { experimentId, user: user.name, operator: user.operator, action: form.action, outcome: answer.outcome });
    this.hub.send('control', { experimentId, action: form.action, ...answer });
    return answer;
  }
}
