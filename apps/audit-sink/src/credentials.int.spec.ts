import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { trafficRecordSchema } from '@penumbra/contracts';
import { credentialPolicy } from '@penumbra/credentials';
import { type IncomingRecord } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, publishExperiments, publishTraffic, spawnTs } from '@penumbra/kafka-testing';
import { type TestHttpServer, type TestRedis, startHttpServer, startRedisServer, testAuditKeys } from '@penumbra/testing';

jest.setTimeout(300_000);

const HASH_KEY = 'credentials-int-test-hash-key';
const SECRETS = {
  authorization: 'Bearer AUTHSECRET0001',
  cookie: 'sid=COOKIESECRET0002',
  query: 'QUERYSECRET0003',
  primarySetCookie: 'sid=PRIMARYSETCOOKIE0004',
  candidateSetCookie: 'sid=CANDSETCOOKIE0005',
  added: 'ADDSECRET0006',
  userinfo: 'USERINFOSECRET0007',
  deadAuthorization: 'Bearer DLQSECRET0008',
  deadQuery: 'DLQQUERY0009',
  raw: 'RAWSECRET0010',
};

/** Every text a record carries: value, key and headers, and whatever base64 inside them decodes to, however deep. */
function bytesOf(record: IncomingRecord): string {
  const texts = [record.value?.toString('utf8') ?? '', record.key?.toString('utf8') ?? '', ...Object.entries(record.headers).flat()];
  const out: string[] = [];
  for (let text = texts.pop(); text !== undefined; text = texts.pop()) {
    out.push(text);
    for (const m of text.match(/[A-Za-z0-9+/]{12,}={0,2}/g) ?? []) {
      const decoded = Buffer.from(m, 'base64').toString('utf8');
      if (decoded.length > 0 && !out.includes(decoded)) texts.push(decoded);
    }
  }
  return out.join('\n');
}

describe('credentials through mirror, comparator, dead letters and the audit on the real broker', () => {
  const policy = credentialPolicy({ hashKey: HASH_KEY });
  let kafka: TestKafka;
  let redis: TestRedis;
  let candidate: TestHttpServer;
  const children: ChildProcess[] = [];
  let log = '';
  let topics: Record<'pairs' | 'diffs' | 'dlq' | 'audit', string>;

  beforeAll(async () => {
    kafka = await createTestKafka('credentials');
    await kafka.provision();
    redis = await startRedisServer();
    candidate = await startHttpServer((req, res) => {
      res.setHeader('set-cookie', SECRETS.candidateSetCookie);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ next: `${req.url}&page=2` }));
    });
    await publishExperiments(kafka, [
      {
        id: 'creds',
        target: { service: 'cred-svc' },
        shadow: { candidate: { baseUrl: candidate.url }, headers: { add: { 'x-candidate-token': SECRETS.added } } },
        compare: { headers: ['set-cookie'] },
        policy: { stages: [{ name: 'shadow', mode: 'observe' }] },
      },
      {
        id: 'userinfo',
        target: { service: 'nobody' },
        shadow: { candidate: { baseUrl: `http://svc:${SECRETS.userinfo}@127.0.0.1:1` } },
        policy: { stages: [{ name: 'shadow', mode: 'observe' }] },
      },
    ]);

    const common = {
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
      PENUMBRA_CREDENTIAL_HASH_KEY: HASH_KEY,
      LOG_LEVEL: 'warn',
    };
    const spawnService = (name: string, env: Record<string, string>) => {
      const child = spawnTs(join(__dirname, '..', '..', name, 'src', 'main.ts'), { ...common, ...env });
      child.stdout?.on('data', (d: Buffer) => (log = `${log}${d.toString()}`.slice(-4000)));
      child.stderr?.on('data', (d: Buffer) => (log = `${log}${d.toString()}`.slice(-4000)));
      children.push(child);
    };
    spawnService('traffic-mirror', { MIRROR_ALLOWED_TARGETS: '127.0.0.1/32', MIRROR_START_FROM: 'earliest' });
    spawnService('comparator', { REDIS_URL: redis.url, REDIS_KEY_PREFIX: kafka.ns.keyPrefix });
    spawnService('audit-sink', { ...testAuditKeys('credentials-test').env, AUDIT_TRANSACTIONAL_ID: `${kafka.ns.id}-audit`, AUDIT_REDACT_DEFAULT: 'false' });

    const captured = trafficRecordSchema.parse({
      type: 'traffic.v1',
      id: 'cred-1',
      ts: Date.now(),
      service: 'cred-svc',
      request: { method: 'GET', path: '/items/1', query: `access_token=${SECRETS.query}&page=1`, headers: { authorization: SECRETS.authorization, cookie: SECRETS.cookie } },
      response: {
        status: 200,
        headers: { 'content-type': 'application/json', 'set-cookie': SECRETS.primarySetCookie },
        body: { encoding: 'utf8', data: JSON.stringify({ next: `/items/1?access_token=${SECRETS.query}&page=1` }) },
        latencyMs: 5,
      },
    });
    await publishTraffic(kafka, [captured]);
    const invalid = {
      type: 'traffic.v1',
      id: 'cred-bad',
      service: 'cred-svc',
      request: { method: 'GET', path: '/x', query: `token=${SECRETS.deadQuery}`, headers: { authorization: SECRETS.deadAuthorization } },
    };
    await kafka.send([
      { topic: kafka.topics.traffic, key: 'cred-bad', value: JSON.stringify(invalid) },
      { topic: kafka.topics.traffic, key: 'cred-raw', value: `GET /?access_token=${SECRETS.raw} HTTP/1.1\r\nCookie: sid=${SECRETS.raw}\r\n` },
    ]);
    topics = { pairs: kafka.topics.pairs, diffs: kafka.topics.diffs, dlq: kafka.topics.dlq, audit: kafka.topics.audit };
  });

  afterAll(async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
    await candidate?.close();
    await redis?.stop();
    await kafka?.close();
  });

  const read = async (topic: keyof typeof topics, count: number) => {
    try {
      return (await kafka.readAll(topics[topic], count, 150_000)).map(bytesOf).join('\n');
    } catch (err) {
      throw new Error(`${String(err)}\nservice log: ${log}`);
    }
  };
  const expectNoSecret = (text: string) => {
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret.replace(/^(Bearer |sid=)/, ''));
  };

  it('replays with the real query and added header, and writes the pair with every credential hashed', async () => {
    const pairs = await read('pairs', 1);
    expectNoSecret(pairs);
    expect(pairs).toContain(`access_token=${policy.hash(SECRETS.query)}`);
    expect(pairs).toContain(policy.hash(SECRETS.primarySetCookie));
    expect(pairs).toContain(policy.hash(SECRETS.candidateSetCookie));
    const replayed = candidate.requests.find((r) => r.url.startsWith('/items/1'));
    expect(replayed?.url).toBe(`/items/1?access_token=${SECRETS.query}&page=1`);
    expect(replayed?.headers['x-candidate-token']).toBe(SECRETS.added);
    expect(replayed?.headers['authorization']).toBeUndefined();
  });

  it('writes the diff with header and body values hashed, the difference still visible', async () => {
    const diffs = await read('diffs', 1);
    expectNoSecret(diffs);
    expect(diffs).toContain('"outcome":"mismatch"');
    expect(diffs).toContain(policy.hash(SECRETS.candidateSetCookie));
    expect(diffs).toContain(`access_token=${policy.hash(SECRETS.query)}`);
  });

  it('dead-letters an invalid record with its credentials hashed, and keeps no bytes of one that is not JSON', async () => {
    const letters = await read('dlq', 2);
    expectNoSecret(letters);
    expect(letters).toContain(policy.hash(SECRETS.deadAuthorization));
    expect(letters).toContain('"redaction":"withheld"');
  });

  it('audits the experiments and the dead letters with added headers, URL userinfo and credentials hashed', async () => {
    const records = await read('audit', 4);
    expectNoSecret(records);
    expect(records).toContain(policy.hash(SECRETS.added));
    expect(records).toContain('http://[redacted]@127.0.0.1:1');
    expect(records).toContain(policy.hash(SECRETS.deadAuthorization));
  });
});
