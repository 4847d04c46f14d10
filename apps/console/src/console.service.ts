import { type IncomingMessage } from 'node:http';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, UnauthorizedException } from '@nestjs/common';
import { type ServiceEnv } from '@penumbra/config';
import { type ExperimentRecord } from '@penumbra/contracts';
import { UnavailableError } from '@penumbra/errors';
import { type ProducerPort, createTransactionalKafka, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { type TopicTable } from '@penumbra/kafka';
import { SERVICE_CONTEXT, type ServiceContext, StopStack, connectRedis, startExperimentTable } from '@penumbra/service-kit';
import { type ConsoleUser, authenticate, loadUsers } from './auth';
import { type ConsoleSources } from './console-sources';
import { type ControlAnswer, type ControlForm, sendControl } from './control';
import { EventHub, changedIds } from './event-hub';
import { fingerprint } from './experiment-views';
import { type OperatorSigner, loadOperatorSigner } from './operator-signing';

export type ConsoleEnv = ServiceEnv<'console'>;

const PING_EVERY_ROUNDS = 15;

@Injectable()
export class ConsoleService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stops = new StopStack();
  readonly users: ConsoleUser[];
  private readonly signer: OperatorSigner | undefined;
  readonly hub: EventHub;
  private sourcesValue: ConsoleSources | undefined;
  private producerValue: ProducerPort | undefined;
  private fingerprints = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private rounds = 0;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<ConsoleEnv>) {
    this.users = loadUsers(ctx.env.CONSOLE_USERS_FILE);
    this.signer = ctx.env.PENUMBRA_OPERATOR_KEY_FILE === undefined ? undefined : loadOperatorSigner(ctx.env.PENUMBRA_OPERATOR_KEY_FILE);
    this.hub = new EventHub(ctx.env.CONSOLE_MAX_STREAMS);
  }

  get sources(): ConsoleSources {
    if (this.sourcesValue === undefined) throw new UnavailableError('the console is still starting');
    return this.sourcesValue;
  }

  /** The logged-in user of a request (the middleware let only those through). */
  user(req: IncomingMessage): ConsoleUser {
    const user = authenticate(this.users, req.headers.authorization);
    if (user === undefined) throw new UnauthorizedException('log in: a bearer token or basic auth from the console users file');
    return user;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { ctx } = this;
    const redis = await connectRedis(ctx, this.stops);
    const table: TopicTable<ExperimentRecord> = await startExperimentTable(ctx, this.stops, () => void this.push());
    const log = createTransactionalKafka(kafkaConnectionFromEnv(ctx.env, `penumbra-${ctx.name}`), ctx.logger.child({ component: 'kafka' }));
    this.sourcesValue = {
      redis,
      windows: { prefix: ctx.env.REDIS_KEY_PREFIX, windowMs: ctx.env.AGGREGATOR_WINDOW_MS },
      keyPrefix: ctx.env.REDIS_KEY_PREFIX,
      log,
      topics: ctx.topics,
      experiments: () => table.values(),
      experiment: (id) => table.get(id),
    };
    this.stops.push('event streams', async () => this.hub.closeAll());
    this.stops.push('producer', () => this.producerValue?.disconnect() ?? Promise.resolve());
    this.timer = setInterval(() => void this.push(), ctx.env.CONSOLE_PUSH_INTERVAL_MS);
    this.timer.unref();
    ctx.logger.info('console ready', { users: this.users.length, operators: this.signer?.operators ?? [] });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.stops.stopAll(this.ctx.logger);
  }

  /** One round of change detection, only while someone watches; a round still running skips the next. */
  private async push(): Promise<void> {
    if (this.busy || this.hub.size === 0 || this.sourcesValue === undefined) return;
    this.busy = true;
    try {
      const next = new Map<string, string>();
      for (const record of this.sources.experiments()) next.set(record.experimentId, await fingerprint(this.sources, record));
      const ids = changedIds(this.fingerprints, next);
      this.fingerprints = next;
      if (ids.length > 0) this.hub.send('changed', { ids });
      else if (++this.rounds % PING_EVERY_ROUNDS === 0) this.hub.ping();
    } catch (err) {
      this.ctx.logger.warn('change detection failed; trying again next round', { err });
    } finally {
      this.busy = false;
    }
  }

  private async producer(): Promise<ProducerPort> {
    this.producerValue ??= await this.ctx.kafka.producer();
    return this.producerValue;
  }

  async control(experimentId: string, user: ConsoleUser, form: ControlForm): Promise<ControlAnswer> {
    const answer = await sendControl({ sources: this.sources, producer: () => this.producer(), signer: this.signer, waitMs: 30_000 }, experimentId, user.operator, form);
    this.ctx.logger.info('control request', { experimentId, user: user.name, operator: user.operator, action: form.action, outcome: answer.outcome });
    this.hub.send('control', { experimentId, action: form.action, ...answer });
    return answer;
  }
}
