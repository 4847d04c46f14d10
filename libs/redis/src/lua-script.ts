import { createHash } from 'node:crypto';
import { type RedisClient } from './redis-client';

type ScriptCommand = (numberOfKeys: number, ...keysAndArgs: string[]) => Promise<unknown>;

/**
 * A Lua script registered on each client that runs it with ioredis `defineCommand`: the client
 * calls it by its SHA-1 (EVALSHA) and sends the text again only when the server answers NOSCRIPT
 * (after a restart or SCRIPT FLUSH). The command is named after the script's SHA-1, so two scripts
 * never share a name and a script registered twice is the same command.
 */
export class LuaScript {
  readonly sha: string;
  private readonly command: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
    this.command = `penumbraLua${this.sha}`;
  }

  run(redis: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    return this.commandOn(redis)(keys.length, ...keys, ...args);
  }

  private commandOn(redis: RedisClient): ScriptCommand {
    if (typeof Reflect.get(redis, this.command) !== 'function') redis.defineCommand(this.command, { lua: this.source });
    const command: unknown = Reflect.get(redis, this.command);
    if (typeof command !== 'function') throw new TypeError(`the Redis client did not define the script ${this.sha}`);
    return (numberOfKeys, ...rest) => Promise.resolve(command.call(redis, numberOfKeys, ...rest));
  }
}
