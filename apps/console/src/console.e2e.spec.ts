import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { TOPIC_KEYS, topicName } from '@penumbra/contracts';
import { createKafkaClient } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { type TestRedis, ensureKafka, startRedisServer, waitFor } from '@penumbra/testing';

jest.setTimeout(420_000);

const root = join(__dirname, '..', '..', '..');
const bin = join(root, 'apps', 'cli', 'bin', 'penumbra.cjs');
const outputDir = join(process.env['PENUMBRA_STATE_DIR'] ?? join(root, '.penumbra'), 'test-output', 'console-e2e');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

interface AuditTimeline {
  chain: { ok: boolean };
  timeline: Array<{ actor: string; eventType: string; summary: string }>;
}

describe('the console in a real browser, on the demo regression', () => {
  let brokers: string[];
  let redis: TestRedis;
  let demo: ChildProcess;
  let output = '';
  let url = '';
  let token = '';
  let experimentId = '';
  let topicPrefix = '';
  let browser: Browser;
  let context: BrowserContext;

  const api = (path: string, auth = true) => fetch(new URL(path, url), auth ? { headers: { authorization: `Bearer ${token}` } } : {});

  beforeAll(async () => {
    mkdirSync(outputDir, { recursive: true });
    brokers = await ensureKafka();
    redis = await startRedisServer();
    demo = spawn(process.execPath, [bin, 'demo', '--scenario', 'regression'], {
      env: { ...process.env, KAFKA_BROKERS: brokers.join(','), REDIS_URL: redis.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [demo.stdout, demo.stderr]) stream?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => output.includes('Ctrl-C stops it'), { timeoutMs: 300_000, what: () => `the demo's decision and summary; output so far:\n${output.slice(-3000)}` });
    const login = /console: (http:\/\/\S+) \(log in as demo, password (\w+)\)/.exec(output);
    url = login?.[1] ?? '';
    token = login?.[2] ?? '';
    experimentId = /npx penumbra audit (shop-regression-\S+)/.exec(output)?.[1] ?? '';
    topicPrefix = /TOPIC_PREFIX=(\S+)/.exec(output)?.[1] ?? '';
    expect({ url: url !== '', token: token !== '', experimentId: experimentId !== '' }).toEqual({ url: true, token: true, experimentId: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ httpCredentials: { username: 'demo', password: token }, viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) {
      const exited = new Promise((r) => demo.once('exit', r));
      demo.kill('SIGINT');
      await exited;
    }
    await redis?.stop();
    if (topicPrefix !== '' && brokers) {
      const admin = await createKafkaClient({ clientId: 'console-e2e-cleanup', brokers, connectionTimeoutMs: 10_000, ssl: false, sasl: null }, silentLogger).admin();
      try {
        await admin.deleteTopics(TOPIC_KEYS.map((k) => topicName(topicPrefix, k))).catch(() => undefined);
      } finally {
        await admin.disconnect();
      }
    }
  });

  it('refuses an API request without a login (401), and answers one with the token', async () => {
    const refused = await api('/api/experiments', false);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await api('/api/experiments')).status).toBe(200);
  });

  it('lists the experiment with its decision on the experiments page', async () => {
    const page = await context.newPage();
    await page.goto(url);
    const row = page.locator('tr', { has: page.getByRole('link', { name: experimentId }) });
    await row.waitFor();
    expect(await row.locator('[data-decision]').textContent()).toBe('rolled back');
    expect(await row.locator('svg polyline').count()).toBe(1);
    await page.screenshot({ path: join(outputDir, 'experiments.png'), fullPage: true });
    await page.close();
  });

  it('shows the rollback, the failing gate with its bound over time, and $.data.tax side by side with both values highlighted', async () => {
    const page = await context.newPage();
    await page.goto(new URL(`/experiments/${experimentId}`, url).toString());
    await page.locator('#gates').waitFor();
    expect(await page.locator('h1 [data-decision]').textContent()).toBe('rolled back');
    const gate = page.locator('#gates tbody tr', { hasText: 'matchRate >= 0.95 @0.95' });
    expect(await gate.locator('[data-verdict]').textContent()).toBe('fail');
    const bound = Number(await gate.locator('td').nth(3).textContent());
    expect(bound).toBeLessThan(0.95);
    expect(await page.locator('figure[data-gate="matchRate >= 0.95 @0.95"] polyline.series-bound').count()).toBe(1);
    const primary = page.locator('#side-by-side mark.diff-primary[data-path="$.data.tax"]');
    const candidate = page.locator('#side-by-side mark.diff-candidate[data-path="$.data.tax"]');
    const values = [await primary.textContent(), await candidate.textContent()];
    expect(values.every((v) => v !== null && /^\d+(\.\d+)?$/.test(v))).toBe(true);
    expect(values[0]).not.toBe(values[1]);
    expect(await page.locator('#chain').getAttribute('data-verified')).toBe('true');
    await page.screenshot({ path: join(outputDir, 'experiment.png'), fullPage: true });
    await page.close();
  });

  it('kills from the page: signed by the console, answered by the sentinel, and audited', async () => {
    const page = await context.newPage();
    await page.goto(new URL(`/experiments/${experimentId}`, url).toString());
    await page.locator('#control').waitFor();
    await page.selectOption('#control select[name=action]', 'kill');
    await page.fill('#control input[name=reason]', 'console e2e: stop the regression for good');
    await page.getByRole('button', { name: 'Sign and send' }).press('Enter');
    const answer = page.locator('#answer [data-outcome]');
    await answer.waitFor({ timeout: 60_000 });
    expect(await answer.getAttribute('data-outcome')).toBe('accepted');
    expect(await answer.textContent()).toMatch(/kill accepted as demo-operator: command kill/);
    const audit = await waitFor(
      async () => {
        const a = (await (await api(`/api/experiments/${experimentId}/audit`)).json()) as AuditTimeline;
        return a.timeline.some((t) => t.eventType === 'control.v1' && t.actor === 'demo-operator') &&
          a.timeline.some((t) => t.eventType === 'command.v1' && /^kill/.test(t.summary))
          ? a
          : undefined;
      },
      { timeoutMs: 60_000, what: 'the kill request and command in the audit' },
    );
    expect(audit.chain.ok).toBe(true);
    await page.locator('#halted').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(outputDir, 'killed.png'), fullPage: true });
    await page.close();
  });
});
