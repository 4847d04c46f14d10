import { UnavailableError } from '@penumbra/errors';
import { type RedisClient, isRedisCluster } from '@penumbra/redis';

/** Counter increments for one endpoint's hash, and the fields whose totals are wanted back. */
export interface NoiseUpdate {
  key: string;
  increments: Map<string, number>;
  read: string[];
}

/** Shared noise counters (Redis in production): increments applied, then totals read, in one round trip. */
export interface NoiseStore {
  apply(updates: NoiseUpdate[]): Promise<Map<string, Map<string, number>>>;
}

const TTL_SECONDS = 7 * 24 * 3600;

export class RedisNoiseStore implements NoiseStore {
  constructor(private readonly redis: RedisClient) {}

  async apply(updates: NoiseUpdate[]): Promise<Map<string, Map<string, number>>> {
    const result = new Map<string, Map<string, number>>();
    if (updates.length === 0) return result;
    // A Redis Cluster pipeline must stay on one slot: there, each endpoint's hash gets its own (sent side by side).
    const groups = isRedisCluster(this.redis) ? updates.map((u) => [u]) : [updates];
    for (const part of await Promise.all(groups.map((g) => this.applyPipelined(g)))) for (const [k, v] of part) result.set(k, v);
    return result;
  }

  private async applyPipelined(updates: NoiseUpdate[]): Promise<Map<string, Map<string, number>>> {
    const result = new Map<string, Map<string, number>>();
    const pipeline = this.redis.pipeline();
    for (const u of updates) {
      for (const [field, n] of u.increments) pipeline.hincrby(u.key, field, n);
      pipeline.expire(u.key, TTL_SECONDS);
    }
    const reads = updates.filter((u) => u.read.length > 0);
    for (const u of reads) pipeline.hmget(u.key, ...u.read);
    let replies: Array<[Error | null, unknown]>;
    try {
      replies = (await pipeline.exec()) ?? [];
    } catch (err) {
      throw new UnavailableError(`redis noise counters unavailable: ${(err as Error).message}`, {}, err);
    }
    const failed = replies.find(([err]) => err);
    if (failed?.[0]) throw new UnavailableError(`redis noise counters refused an update: ${failed[0].message}`, {}, failed[0]);
    const readReplies = replies.slice(replies.length - reads.length);
    reads.forEach((u, i) => {
      const values = (readReplies[i]?.[1] ?? []) as Array<string | null>;
      result.set(u.key, new Map(u.read.map((f, j) => [f, Number(values[j] ?? 0)])));
    });
    return result;
  }
}

/** For unit tests and offline use. */
export class MemoryNoiseStore implements NoiseStore {
  readonly data = new Map<string, Map<string, number>>();

  async apply(updates: NoiseUpdate[]): Promise<Map<string, Map<string, number>>> {
    const result = new Map<string, Map<string, number>>();
    for (const u of updates) {
      const hash = this.data.get(u.key) ?? new Map<string, number>();
      this.data.set(u.key, hash);
      for (const [f, n] of u.increments) hash.set(f, (hash.get(f) ?? 0) + n);
    }
    for (const u of updates) {
      const hash = this.data.get(u.key) ?? new Map<string, number>();
      result.set(u.key, new Map(u.read.map((f) => [f, hash.get(f) ?? 0])));
    }
    return result;
  }
}
