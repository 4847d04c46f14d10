import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KAFKA_PRINCIPALS, type LocalKafkaCredentials, findWorkspaceRoot, localKafkaCredentialsSchema, parseSecureStackAnswer, parseStackAnswer } from '@penumbra/config';
import { TOPIC_KEYS, type TopicKey, topicNames } from '@penumbra/contracts';
import { runDemo } from './demo-run';
import { FLEET_SERVICES, type FleetService } from '@penumbra/fleet';
import { type KafkaClient, type KafkaConnectionConfig, createKafkaClient, createTransactionalKafka, provisionTopics } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { createRedis } from '@penumbra/redis';
import { type TestRedis, freePort, startRedisServer, testNamespace } from '@penumbra/testing';

jest.setTimeout(600_000);

const root = findWorkspaceRoot(__dirname);
const script = join(root, 'tools', 'kafka', 'local-kafka.mjs');
const run = promisify(execFile);

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose successor (the controller's) is free too. */
async function twoFreePorts(): Promise<number> {
  for (let i = 0; i < 50; i += 1) {
    const port = await freePort();
    if (port < 65_000 && (await canListen(port + 1))) return port;
  }
  throw new Error('no two consecutive free ports');
}

const ONE_PARTITION = Object.fromEntries(TOPIC_KEYS.map((k) => [k, { partitions: 1 }]));
const AUTHORIZATION_FAILED = /TOPIC_AUTHORIZATION_FAILED|not authorized to access topics/i;

describe('the secure local broker: one principal per service, least privilege', () => {
  const state = mkdtempSync(join(tmpdir(), 'penumbra-secure-state-'));
  const ns = testNamespace('secure-broker');
  const topicPrefix = ns.topicPrefix;
  const groupPrefix = ns.topicPrefix;
  const topics = topicNames(topicPrefix);
  let env: NodeJS.ProcessEnv;
  let brokers: string;
  let credentials: LocalKafkaCredentials;

  const connection = (username: string, password: string, clientId = `secure-test-${username}`): KafkaConnectionConfig => ({
    brokers: [brokers],
    clientId,
    connectionTimeoutMs: 10_000,
    ssl: false,
    sasl: { mechanism: 'scram-sha-512', username, password },
  });
  const clientOf = (user: string): KafkaClient => {
    const password = credentials.users[user];
    if (password === undefined) throw new Error(`no credentials for ${user}`);
    return createKafkaClient(connection(user, password), silentLogger);
  };
  const up = (extra: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, [script, 'up', '--secure', '--json', '--quiet', '--extra-user', 'stranger'], { env: { ...env, ...extra }, timeout: 300_000 });

  beforeAll(async () => {
    env = {
      ...process.env,
      PENUMBRA_STATE_DIR: state,
      PENUMBRA_KAFKA_PORT: String(await twoFreePorts()),
      TOPIC_PREFIX: topicPrefix,
      KAFKA_GROUP_PREFIX: groupPrefix,
      KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m',
    };
    delete env['KAFKA_BROKERS'];
    const { stdout } = await up();
    brokers = parseStackAnswer('kafka', stdout);
    credentials = localKafkaCredentialsSchema.parse(JSON.parse(readFileSync(parseSecureStackAnswer(stdout).credentialsFile, 'utf8')));
    const admin = await createKafkaClient(connection(credentials.admin.username, credentials.admin.password), silentLogger).admin();
    try {
      await provisionTopics(admin, { prefix: topicPrefix, overrides: ONE_PARTITION });
    } finally {
      await admin.disconnect();
    }
  });

  afterAll(async () => {
    await run(process.execPath, [script, 'down', '--quiet'], { env }).catch(() => undefined);
    rmSync(state, { recursive: true, force: true });
  });

  it('refuses a client without credentials', async () => {
    const anonymous = createKafkaClient({ ...connection('x', 'y'), sasl: null, connectionTimeoutMs: 3_000 }, silentLogger);
    await expect(anonymous.admin().then((a) => a.topicOffsets(topics.traffic))).rejects.toThrow();
  });

  it("the mirror's principal writes pairs but cannot write commands or experiments", async () => {
    const producer = await clientOf('traffic-mirror').producer({ retries: 1 });
    try {
      await expect(producer.send([{ topic: topics.pairs, key: 'k', value: '{}' }])).resolves.toBeUndefined();
      await expect(producer.send([{ topic: topics.commands, key: 'k', value: '{}' }])).rejects.toThrow(AUTHORIZATION_FAILED);
      await expect(producer.send([{ topic: topics.experiments, key: 'k', value: '{}' }])).rejects.toThrow(AUTHORIZATION_FAILED);
    } finally {
      await producer.disconnect();
    }
  });

  it('a valid user with no ACLs cannot read traffic', async () => {
    const admin = await clientOf('stranger').admin();
    try {
      await expect(admin.topicOffsets(topics.traffic)).rejects.toThrow(AUTHORIZATION_FAILED);
    } finally {
      await admin.disconnect();
    }
    const consumer = clientOf('stranger').consumer({ groupId: `${groupPrefix}traffic-mirror-stranger` });
    try {
      await expect(consumer.subscribe([topics.traffic], { fromBeginning: true })).rejects.toThrow(AUTHORIZATION_FAILED);
    } finally {
      await consumer.disconnect();
    }
  });

  it("every principal writes and reads exactly its table's topics under its own groups", async () => {
    for (const p of KAFKA_PRINCIPALS) {
      if (p.write.length === 0) continue;
      const producer = await clientOf(p.user).producer({ retries: 1 });
      try {
        for (const key of p.write) await producer.send([{ topic: topics[key], key: p.user, value: JSON.stringify({ probe: p.user }) }]);
        const denied = TOPIC_KEYS.find((k) => !(p.write as readonly TopicKey[]).includes(k));
        if (denied) await expect(producer.send([{ topic: topics[denied], key: p.user, value: '{}' }])).rejects.toThrow(AUTHORIZATION_FAILED);
      } finally {
        await producer.disconnect();
      }
    }
    for (const p of KAFKA_PRINCIPALS) {
      const group = p.groups[0];
      if (p.read.length === 0 || group === undefined) continue;
      const wanted = new Set<string>(p.read.map((k) => topics[k]));
      const consumer = clientOf(p.user).consumer({ groupId: `${group.replace('{group}', groupPrefix)}probe`, sessionTimeoutMs: 10_000 });
      try {
        await consumer.subscribe([...wanted], { fromBeginning: true });
        const seen = new Promise<void>((resolve) => {
          void consumer.run(async (batch, control) => {
            if (batch.records.length > 0) wanted.delete(batch.topic);
            for (const r of batch.records) control.resolveOffset(r.offset);
            if (wanted.size === 0) resolve();
          });
        });
        await seen;
        expect(wanted.size).toBe(0);
      } finally {
        await consumer.disconnect();
      }
    }
  });

  describe('the whole loop under ACLs', () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await startRedisServer();
    });
    afterAll(async () => {
      await redis.stop();
    });

    it('regression: each service runs as its own principal and the sentinel still rolls the candidate back', async () => {
      const adminConnection = connection(credentials.admin.username, credentials.admin.password, 'secure-test-demo');
      const redisClient = createRedis({ url: redis.url, connectionName: 'secure-test-demo', tls: false, keyPrefix: '' });
      await redisClient.connect();
      const serviceEnv: Partial<Record<FleetService, Record<string, string>>> = {};
      for (const s of FLEET_SERVICES) serviceEnv[s] = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: s, KAFKA_SASL_PASSWORD: credentials.users[s] ?? '' };
      const quiet = { line: () => undefined, progress: () => undefined, view: () => undefined };
      try {
        const result = await runDemo({
          root,
          scenario: 'regression',
          brokers: [brokers],
          redisUrl: redis.url,
          kafka: createKafkaClient(adminConnection, silentLogger),
          log: createTransactionalKafka(adminConnection, silentLogger),
          redis: redisClient,
          out: quiet,
          timeoutMs: 240_000,
          // The demo's topics and groups carry its run's prefixes: grant the principals those too.
          beforeFleet: async (names) => void (await up({ TOPIC_PREFIX: names.topicPrefix, KAFKA_GROUP_PREFIX: names.groupPrefix })),
          serviceEnv,
        });
        expect(result).toMatchObject({ scenario: 'regression', decision: 'rolled_back', auditVerified: true });
        expect(result.topDifferences[0]).toMatch(/^\$\.data\.(total|tax)$/);
      } finally {
        redisClient.disconnect();
      }
    });
  });
});
