import { type SliceState, sliceStateSchema } from '@penumbra/policy-core';
import { UnavailableError } from '@penumbra/errors';
import { LuaScript, type RedisClient, scanKeys } from '@penumbra/redis';

/** A message the state change owes to Kafka: written with the state, sent, then cleared. */
export interface OutboxMessage {
  topic: string;
  key: string;
  value: string;
}

export interface StoredSlice {
  state: SliceState;
  outbox: OutboxMessage[];
}

/**
 * KEYS[1] slice hash  KEYS[2] seen-request key (absent for none: an empty key name would hash to another slot)
 * ARGV[1] expected version ("none" when the slice is new)  ARGV[2] new version  ARGV[3] state JSON
 * ARGV[4] outbox JSON
 */
const CAS_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'version')
if (current or 'none') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'state', ARGV[3])
if ARGV[4] ~= '[]' then redis.call('HSET', KEYS[1], 'outbox', ARGV[4]) end
if KEYS[2] then redis.call('SET', KEYS[2], '1', 'EX', 604800) end
return 1
`;

const CLEAR_OUTBOX_SCRIPT = `
if redis.call('HGET', KEYS[1], 'outbox') == ARGV[1] then redis.call('HDEL', KEYS[1], 'outbox') return 1 end
return 0
`;

const CAS = new LuaScript(CAS_SCRIPT);
const CLEAR_OUTBOX = new LuaScript(CLEAR_OUTBOX_SCRIPT);

/**
 * The sentinel's state in Redis. A slice changes only by compare-and-set on its version, and the
 * commands and alerts a change owes are written in the same step (an outbox), so a crash between
 * the decision and the send neither loses the command nor lets a second replica decide again.
 */
export class SentinelStateStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private sliceKey(experimentId: string, slice: string): string {
    return `${this.prefix}sentinel:{${experimentId}}:slice:${slice}`;
  }

  /** A request's marker; one written with a slice's state lives in the experiment's slot, as the CAS script needs. */
  private seenKey(requestId: string, experimentId?: string): string {
    return experimentId === undefined ? `${this.prefix}sentinel:control-seen:${requestId}` : `${this.prefix}sentinel:{${experimentId}}:control-seen:${requestId}`;
  }

  async slicesOf(experimentId: string): Promise<string[]> {
    const keys = await scanKeys(this.redis, `${this.prefix}sentinel:{${experimentId}}:slice:*`);
    const head = `${this.prefix}sentinel:{${experimentId}}:slice:`;
    return keys.map((k) => k.slice(head.length));
  }

  async load(experimentId: string, slice: string): Promise<StoredSlice | undefined> {
    const h = await this.redis.hgetall(this.sliceKey(experimentId, slice));
    if (h['state'] === undefined) return undefined;
    const parsed = sliceStateSchema.safeParse(JSON.parse(h['state']));
    if (!parsed.success) throw new UnavailableError(`sentinel state of ${experimentId}/${slice} is unreadable`, { experimentId, slice });
    return { state: parsed.data, outbox: h['outbox'] === undefined ? [] : (JSON.parse(h['outbox']) as OutboxMessage[]) };
  }

  /** Writes `next` if the stored version is still `expected`; false when another writer won. */
  async compareAndSet(experimentId: string, slice: string, expected: number | undefined, next: SliceState, outbox: OutboxMessage[], requestId?: string): Promise<boolean> {
    const ok = await CAS.run(
      this.redis,
      requestId === undefined ? [this.sliceKey(experimentId, slice)] : [this.sliceKey(experimentId, slice), this.seenKey(requestId, experimentId)],
      [expected === undefined ? 'none' : String(expected), String(next.version), JSON.stringify(next), JSON.stringify(outbox)],
    );
    return Number(ok) === 1;
  }

  async clearOutbox(experimentId: string, slice: string, outbox: OutboxMessage[]): Promise<void> {
    await CLEAR_OUTBOX.run(this.redis, [this.sliceKey(experimentId, slice)], [JSON.stringify(outbox)]);
  }

  /**
   * Whether a control request was applied already (a redelivery). With the experiment, the marker a
   * state change wrote for it counts too (and the one older versions wrote outside the experiment's slot).
   */
  async seen(requestId: string, experimentId?: string): Promise<boolean> {
    if (experimentId !== undefined && (await this.redis.exists(this.seenKey(requestId, experimentId))) === 1) return true;
    return (await this.redis.exists(this.seenKey(requestId))) === 1;
  }

  async markSeen(requestId: string): Promise<void> {
    await this.redis.set(this.seenKey(requestId), '1', 'EX', 604_800);
  }

  /** A promotion, counted by both circuit breakers: fleet-wide, and per experiment with its slice. */
  async recordPromotion(commandId: string, at: number, experiment?: { experimentId: string; slice: string }): Promise<void> {
    const key = `${this.prefix}sentinel:promotions`;
    const week = at - 7 * 86_400_000;
    // One transaction per key: the two keys may live on different Redis Cluster slots.
    await this.redis.multi().zadd(key, at, commandId).zremrangebyscore(key, 0, week).exec();
    if (experiment !== undefined) {
      const own = this.experimentPromotionsKey(experiment.experimentId);
      await this.redis
        .multi()
        .zadd(own, at, JSON.stringify([experiment.slice, commandId]))
        .zremrangebyscore(own, 0, week)
        .exec();
    }
  }

  /** Promotions across the fleet since `since`. */
  async promotionsSince(since: number): Promise<number> {
    return this.redis.zcount(`${this.prefix}sentinel:promotions`, since, '+inf');
  }

  /** One experiment's promotions since `since`, with the slice each promoted. */
  async experimentPromotionsSince(experimentId: string, since: number): Promise<Array<{ slice: string; at: number }>> {
    const raw = await this.redis.zrangebyscore(this.experimentPromotionsKey(experimentId), since, '+inf', 'WITHSCORES');
    const out: Array<{ slice: string; at: number }> = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const member: unknown = JSON.parse(raw[i] as string);
      if (Array.isArray(member) && typeof member[0] === 'string') out.push({ slice: member[0], at: Number(raw[i + 1]) });
    }
    return out;
  }

  private experimentPromotionsKey(experimentId: string): string {
    return `${this.prefix}sentinel:experiment-promotions:${experimentId}`;
  }

  /** Live commands waiting for an acknowledgement, by id, with their deadlines. */
  async expectAck(commandId: string, experimentId: string, deadline: number): Promise<void> {
    await this.redis.hset(`${this.prefix}sentinel:acks`, commandId, JSON.stringify({ experimentId, deadline }));
  }

  async acknowledged(commandId: string): Promise<void> {
    await this.redis.hdel(`${this.prefix}sentinel:acks`, commandId);
  }

  async overdueAcks(now: number): Promise<Array<{ commandId: string; experimentId: string }>> {
    const all = await this.redis.hgetall(`${this.prefix}sentinel:acks`);
    return Object.entries(all)
      .map(([commandId, v]) => ({ commandId, ...(JSON.parse(v) as { experimentId: string; deadline: number }) }))
      .filter((a) => a.deadline <= now)
      .map(({ commandId, experimentId }) => ({ commandId, experimentId }));
  }
}
