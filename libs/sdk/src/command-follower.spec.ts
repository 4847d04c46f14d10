import {
  type Ack,
  type Command,
  commandId,
  commandSchema,
  generateSigningKeyFiles,
  signMessage,
  signingKeyFromJson,
  trustedKeysFromJson,
  verifyMessage,
} from '@penumbra/contracts';
import { type KafkaClient, type OutgoingMessage, type ProducerPort } from '@penumbra/kafka';
import { Adaptive } from './adaptive';
import { adaptiveTarget } from './adaptive-target';
import { CommandFollower, ackIdOf } from './command-follower';
import { Experiment } from './experiment';

const NOW = 1_763_776_800_000;
const keys = generateSigningKeyFiles('sentinel-1');
const SENTINEL = signingKeyFromJson(keys.signingKey);
const TRUSTED = trustedKeysFromJson(keys.trustedKeys);
const applierFiles = generateSigningKeyFiles('orders-api');
const APPLIER = signingKeyFromJson(applierFiles.signingKey);
const APPLIERS = trustedKeysFromJson(applierFiles.trustedKeys);

/** handle() is driven directly here; the consumer path runs in the integration test. */
const unusedClient: KafkaClient = {
  clientId: 'unit',
  admin: () => Promise.reject(new Error('not used')),
  producer: () => Promise.reject(new Error('not used')),
  consumer: () => {
    throw new Error('not used');
  },
};

function command(over: Partial<Pick<Command, 'action' | 'fromStage' | 'toStage' | 'stateVersion' | 'dryRun' | 'targetWeight' | 'experimentId' | 'slice' | 'ts'>> = {}): Command {
  const base = {
    experimentId: 'limits',
    action: 'promote' as const,
    fromStage: 'shadow',
    toStage: 'promoted',
    stateVersion: 1,
    targetWeight: 100,
    dryRun: false,
    ts: NOW,
    ...over,
  };
  const parsed = commandSchema.parse({
    type: 'command.v1',
    id: commandId(base),
    ...base,
    reason: 'test',
    actor: { kind: 'sentinel', name: 'sentinel' },
    evidence: { policyHash: 'a'.repeat(64), samples: 100 },
  });
  return signMessage(parsed, SENTINEL);
}

function setup(options: { failSends?: number; ackWithinMs?: number } = {}) {
  const sent: OutgoingMessage[] = [];
  let failures = options.failSends ?? 0;
  const producer: ProducerPort = {
    send: (messages) => {
      if (failures > 0) {
        failures -= 1;
        return Promise.reject(Object.assign(new Error('broker away'), { retriable: true }));
      }
      sent.push(...messages);
      return Promise.resolve();
    },
    disconnect: () => Promise.resolve(),
  };
  const adaptive = new Adaptive({ limit: 10 }, { limit: 20 });
  const experiment = new Experiment({ experimentId: 'limits', sink: { offer: () => undefined } });
  const follower = new CommandFollower({
    client: unusedClient,
    producer,
    topics: { commands: 'shadow.commands', acks: 'shadow.acks' },
    experimentId: 'limits',
    target: adaptiveTarget(adaptive, experiment),
    appliedBy: 'orders-api:pod-1',
    trustedKeys: TRUSTED,
    ackKey: APPLIER,
    clock: () => NOW + 1000,
    ackRetry: { attempts: 3, initialDelayMs: 1, maxDelayMs: 1 },
    ...(options.ackWithinMs !== undefined ? { ackWithinMs: options.ackWithinMs } : {}),
  });
  const acks = () => sent.map((m) => JSON.parse(String(m.value)) as Ack);
  return { adaptive, experiment, follower, sent, acks };
}

describe('CommandFollower with an Adaptive', () => {
  it('swaps at the final promotion and acknowledges it; intermediate promotions only record the stage', async () => {
    const { adaptive, follower, acks, sent } = setup();
    expect(await follower.handle(command({ toStage: 'canary', targetWeight: 20, stateVersion: 1 }))).toBe('applied');
    expect(adaptive.get()).toEqual({ limit: 10 });
    expect(adaptive.read()).toMatchObject({ stage: 'canary', weight: 20 });
    const final = command({ fromStage: 'canary', stateVersion: 2 });
    expect(await follower.handle(final)).toBe('applied');
    expect(adaptive.get()).toEqual({ limit: 20 });
    expect(adaptive.shadow()).toBeUndefined();
    expect(acks().map((a) => [a.commandId, a.result])).toEqual([
      ['limits:*:shadow->canary:v1', 'applied'],
      [final.id, 'applied'],
    ]);
    expect(acks()[1]).toMatchObject({ type: 'ack.v1', id: ackIdOf(final.id, 'orders-api:pod-1'), appliedBy: 'orders-api:pod-1', experimentId: 'limits' });
    expect(sent.every((m) => m.topic === 'shadow.acks' && m.key === 'limits')).toBe(true);
  });

  it('applies a replay of the same command once and acknowledges it once', async () => {
    const { adaptive, follower, acks } = setup();
    const promote = command();
    const rollback = command({ action: 'rollback', fromStage: 'promoted', toStage: 'shadow', stateVersion: 2, targetWeight: 0 });
    for (const c of [promote, promote, rollback, promote, rollback]) await follower.handle(c);
    // Had the replayed promote been applied again, the shadow would be primary once more.
    expect(adaptive.get()).toEqual({ limit: 10 });
    expect(acks()).toHaveLength(2);
    expect(follower.counters()).toMatchObject({ applied: 2, duplicates: 3 });
  });

  it('rolls back after a promotion to the former primary', async () => {
    const { adaptive, follower, acks } = setup();
    await follower.handle(command());
    await follower.handle(command({ action: 'rollback', fromStage: 'promoted', toStage: 'shadow', stateVersion: 2, targetWeight: 0 }));
    expect(adaptive.get()).toEqual({ limit: 10 });
    expect(adaptive.shadow()).toEqual({ limit: 20 });
    expect(acks()[1]).toMatchObject({ result: 'applied', reason: 'the former primary is restored' });
  });

  it('keeps the primary on a rollback before any promotion', async () => {
    const { adaptive, follower, acks } = setup();
    expect(await follower.handle(command({ action: 'rollback', toStage: 'shadow', targetWeight: 0 }))).toBe('applied');
    expect(adaptive.get()).toEqual({ limit: 10 });
    expect(acks()[0]?.reason).toMatch(/nothing was promoted; the primary is kept/);
  });

  it('on a kill restores the primary, disables the shadow and switches the experiment off', async () => {
    const { adaptive, experiment, follower, acks } = setup();
    await follower.handle(command());
    await follower.handle(command({ action: 'kill', fromStage: 'promoted', toStage: 'killed', stateVersion: 2, targetWeight: 0 }));
    expect(adaptive.get()).toEqual({ limit: 10 });
    expect(adaptive.shadow()).toBeUndefined();
    expect(experiment.isEnabled()).toBe(false);
    expect(acks()[1]).toMatchObject({ result: 'applied' });
    // A later promotion has nothing to promote.
    expect(await follower.handle(command({ stateVersion: 3 }))).toBe('failed');
  });

  it('ignores dry-run commands: no change, no ack', async () => {
    const { adaptive, follower, sent } = setup();
    expect(await follower.handle(command({ dryRun: true }))).toBe('dry-run');
    expect(adaptive.get()).toEqual({ limit: 10 });
    expect(adaptive.read().version).toBe(0);
    expect(sent).toHaveLength(0);
  });

  it("ignores other experiments' and other slices' commands", async () => {
    const { adaptive, follower, sent } = setup();
    expect(await follower.handle(command({ experimentId: 'other' }))).toBe('not-mine');
    expect(await follower.handle(command({ slice: 'acme' }))).toBe('not-mine');
    expect(adaptive.read().version).toBe(0);
    expect(sent).toHaveLength(0);
  });

  it('skips a command older than one already applied, and says so in the ack', async () => {
    const { adaptive, follower, acks } = setup();
    await follower.handle(command({ action: 'rollback', toStage: 'shadow', stateVersion: 5, targetWeight: 0 }));
    expect(await follower.handle(command({ stateVersion: 3 }))).toBe('skipped');
    expect(adaptive.get()).toEqual({ limit: 10 });
    expect(acks()[1]?.reason).toMatch(/^stale/);
  });

  it('retries a failed ack send, and applies old commands found while catching up without acking them', async () => {
    const retried = setup({ failSends: 2 });
    await retried.follower.handle(command());
    expect(retried.acks()).toHaveLength(1);
    expect(retried.follower.counters().acksSent).toBe(1);

    const old = setup({ ackWithinMs: 500 });
    await old.follower.handle(command());
    expect(old.adaptive.get()).toEqual({ limit: 20 });
    expect(old.sent).toHaveLength(0);
  });

  it('refuses a forged command, so its state version cannot hide the real rollback and kill that follow', async () => {
    const { adaptive, follower, acks } = setup();
    const mallory = signingKeyFromJson(generateSigningKeyFiles('sentinel-1').signingKey);
    const real = command({ action: 'promote', fromStage: 'shadow', toStage: 'promoted', stateVersion: 2, targetWeight: 100 });
    const forgedPromote = signMessage({ ...real, stateVersion: Number.MAX_SAFE_INTEGER, id: commandId({ ...real, stateVersion: Number.MAX_SAFE_INTEGER }) }, mallory);
    const { signature, ...unsignedRest } = real;
    void signature;
    expect(await follower.handle(forgedPromote)).toBe('forged');
    expect(await follower.handle(unsignedRest)).toBe('forged');
    expect(await follower.handle({ ...real, targetWeight: 50 })).toBe('forged');
    expect(adaptive.read().stage).not.toBe('promoted');
    expect(acks()).toEqual([]);

    expect(await follower.handle(command({ action: 'rollback', fromStage: 'shadow', toStage: 'shadow', stateVersion: 7, targetWeight: 0 }))).toBe('applied');
    expect(await follower.handle(command({ action: 'kill', fromStage: 'shadow', toStage: 'killed', stateVersion: 8, targetWeight: 0 }))).toBe('applied');
    expect(follower.counters()).toMatchObject({ forged: 3, applied: 2 });
  });

  it("signs every acknowledgement with the applier's own key", async () => {
    const { follower, acks } = setup();
    expect(await follower.handle(command({ action: 'rollback', fromStage: 'shadow', toStage: 'shadow', stateVersion: 3, targetWeight: 0 }))).toBe('applied');
    expect(acks()).toHaveLength(1);
    expect(verifyMessage(acks()[0]!, APPLIERS)).toEqual({ ok: true, keyId: 'orders-api' });
    expect(verifyMessage({ ...acks()[0]!, result: 'failed' }, APPLIERS).ok).toBe(false);
  });
});
