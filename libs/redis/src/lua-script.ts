import { createHash } from 'node:crypto';
import { type RedisClient } from './redis-client';

/**
 * A Lua script sent once and then called by its SHA-1 (EVALSHA). After a Redis restart or
 * SCRIPT FLUSH the server answers NOSCRIPT, and the call is made again with the text.
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
