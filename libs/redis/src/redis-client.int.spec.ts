import { startRedisServer, type TestRedis, waitFor } from '@penumbra/testing';
import { LuaScript } from './lua-script';
import { createRedis, redisConnectionFromEnv, redisReadiness } from './redis-client';

jest.setTimeout(60_000);

const env = (url: string) => ({ REDIS_URL: url, REDIS_TLS: false, REDIS_TLS_REJECT_UNAUTHORIZED: true, REDIS_KEY_PREFIX: 'p:' });

describe('createRedis against a private redis-server', () => {
  let server: TestRedis;

  beforeEach(async () => {
    server = await startRedisServer();
  });

  afterEach(async () => {
    await server.stop();
  });

  it('runs a Lua script by its SHA, and again after the server forgot it', async () => {
    const client = createRedis(redisConnectionFromEnv(env(server.url), 'test'));
    await client.connect();
    try {
      const incr = new LuaScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
      expect(await incr.run(client, ['p:n'], ['2'])).toBe(2);
      expect(await incr.run(client, ['p:n'], ['3'])).toBe(5);
      await client.script('FLUSH');
      expect(await incr.run(client, ['p:n'], ['1'])).toBe(6);
    } finally {
      client.disconnect();
    }
  });

  it('connects, answers readiness, and runs commands', async () => {
    const client = createRedis(redisConnectionFromEnv(env(server.url), 'test'));
    await client.connect();
    try {
      expect(await redisReadiness(client)).toEqual({ ok: true });
      await client.set('p:k', 'v');
      expect(await client.get('p:k')).toBe('v');
      expect(await client.client('GETNAME')).toBe('test');
    } finally {
      client.disconnect();
    }
  });

  it('reports not ready, without crashing, when Redis goes away', async () => {
    const client = createRedis(redisConnectionFromEnv(env(server.url), 'test'));
    client.on('error', () => undefined);
    await client.connect();
    try {
      await server.stop();
      await waitFor(async () => !(await redisReadiness(client)).ok, { what: 'readiness to fail' });
      const failed = await redisReadiness(client);
      expect(failed.ok).toBe(false);
      expect(failed.detail).toMatch(/connect|reconnecting|close|end/i);
    } finally {
      client.disconnect();
    }
  });

  it('refuses a TLS CA file it cannot read, naming the variable', () => {
    expect(() => redisConnectionFromEnv({ ...env(server.url), REDIS_TLS: true, REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' }, 't')).toThrow(/REDIS_TLS_CA_FILE: cannot read/);
  });
});
