import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { TOPIC_KEYS, topicName } from '@penumbra/contracts';
import { createKafkaClient } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { type TestRedis, ensureKafka, startRedisServer } from '@penumbra/testing';

jest.setTimeout(420_000);

const bin = join(__dirname, '..', 'bin', 'penumbra.cjs');

interface DemoResult {
  scenario: string;
  decision: string;
  stage: string;
  samples: number;
  matchRate: number;
  topDifferences: string[];
  auditVerified: boolean;
  topicPrefix: string;
  replay?: { requests: number; decisionSeconds: number; liveSecondsNeeded: number };
  pathVerdicts?: { regressions: string[]; noise: number; undecided: number; maxExcessDiffRate: number };
  corpus?: { saved: string[]; requests: number; experimentId: string; decision: string; stage: string; seconds: number };
}

describe('npm start: the demo through the real processes', () => {
  let brokers: string[];
  let redis: TestRedis;
  const prefixes: string[] = [];

  beforeAll(async () => {
    brokers = await ensureKafka();
    redis = await startRedisServer();
  });

  afterAll(async () => {
    await redis.stop();
    const admin = await createKafkaClient({ clientId: 'demo-e2e-cleanup', brokers, connectionTimeoutMs: 10_000, ssl: false, sasl: null }, silentLogger).admin();
    try {
      await admin.deleteTopics(prefixes.flatMap((p) => TOPIC_KEYS.map((k) => topicName(p, k)))).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
  });

  const demo = (scenario: string): Promise<{ code: number; last: DemoResult; stderr: string; stdout: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [bin, 'demo', '--scenario', scenario, '--until-decision', '--json'],
        { env: { ...process.env, KAFKA_BROKERS: brokers.join(','), REDIS_URL: redis.url }, timeout: 200_000, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const lines = stdout.trim().split('\n');
          let last = {} as DemoResult;
          try {
            last = JSON.parse(lines[lines.length - 1] ?? '{}') as DemoResult;
          } catch {
            // No result line: the demo failed, and its code and stderr say why.
          }
          if (last.topicPrefix) prefixes.push(last.topicPrefix);
          resolve({ code: err ? Number(err.code) : 0, last, stderr, stdout });
        },
      );
    });

  it('regression: the sentinel rolls the candidate back and the buggy field is the top difference', async () => {
    const r = await demo('regression');
    expect(r).toMatchObject({ code: 0, last: { scenario: 'regression', decision: 'rolled_back', auditVerified: true } });
    expect(r.last.topDifferences[0]).toMatch(/^\$\.data\.(total|tax)$/);
    expect(r.last.matchRate).toBeLessThan(0.9);
    // The per-path verdicts flag exactly the fields the bug changed, and none the secondary shows to be volatile.
    expect([...(r.last.pathVerdicts?.regressions ?? [])].sort()).toEqual(['$.data.tax', '$.data.total']);
  });

  it('replay: a low-traffic service is judged on retained traffic, before any live traffic could decide', async () => {
    const r = await demo('replay');
    expect(r).toMatchObject({ code: 0, last: { scenario: 'replay', decision: 'rolled_back', auditVerified: true } });
    expect(r.last.replay!.requests).toBeGreaterThanOrEqual(300);
    expect(r.last.replay!.decisionSeconds).toBeLessThan(r.last.replay!.liveSecondsNeeded);
  });

  it('corpus: the rolled-back build leaves its failing requests in the corpus, and the next build with the same bug is rolled back in its corpus stage', async () => {
    const r = await demo('corpus');
    expect(r.code === 0 ? 'exited 0' : `${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`).toBe('exited 0');
    expect(r).toMatchObject({ code: 0, last: { scenario: 'corpus', decision: 'rolled_back', auditVerified: true } });
    expect([...(r.last.corpus?.saved ?? [])].sort()).toEqual(['$.data.tax', '$.data.total']);
    expect(r.last.corpus).toMatchObject({ decision: 'rolled_back', stage: 'corpus' });
    expect(r.last.corpus?.requests).toBeGreaterThanOrEqual(1);
  });

  it('clean: noise cancellation leaves no differences and the candidate is promoted through every stage', async () => {
    const r = await demo('clean');
    expect(r).toMatchObject({ code: 0, last: { scenario: 'clean', decision: 'promoted', stage: 'promoted', topDifferences: [], matchRate: 1, auditVerified: true } });
    expect(r.last.samples).toBeGreaterThan(300);
    expect(r.last.pathVerdicts?.regressions).toEqual([]);
  });
});
