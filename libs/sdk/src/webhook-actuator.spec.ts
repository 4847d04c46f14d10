import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { commandId, commandSchema } from '@penumbra/contracts';
import { UnavailableError } from '@penumbra/errors';
import { type HttpAnswer, type HttpPoster, WebhookActuator } from './webhook-actuator';

const base = { experimentId: 'limits', action: 'promote' as const, fromStage: 'canary', toStage: 'promoted', stateVersion: 4, targetWeight: 100, dryRun: false };
const promote = commandSchema.parse({
  type: 'command.v1',
  id: commandId(base),
  ts: 1,
  ...base,
  reason: 'gates held',
  actor: { kind: 'sentinel', name: 'sentinel' },
  evidence: { policyHash: 'b'.repeat(64), samples: 500 },
});

function scripted(answers: Array<HttpAnswer | Error>) {
  const calls: Array<{ url: string; body: string; headers: Record<string, string> }> = [];
  const poster: HttpPoster = {
    post(url, body, headers) {
      calls.push({ url, body, headers });
      const next = answers.shift() ?? { status: 200, body: 'ok' };
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
  };
  return { poster, calls };
}

const fastRetry = { attempts: 4, initialDelayMs: 1, maxDelayMs: 2 };

describe('WebhookActuator', () => {
  it('retries 5xx, 429 and unreachable answers with the same idempotency key, and acks applied once it gets a 2xx', async () => {
    const { poster, calls } = scripted([
      { status: 503, body: 'busy' },
      new UnavailableError('connection refused'),
      { status: 429, body: 'slow down' },
      { status: 202, body: 'accepted' },
    ]);
    const actuator = new WebhookActuator({ url: 'http://rollouts.local/penumbra', poster, headers: { authorization: 'Bearer t' }, retry: fastRetry });
    await expect(actuator.apply(promote)).resolves.toEqual({ result: 'applied', reason: 'http://rollouts.local/penumbra answered 202 after 4 attempt(s)' });
    expect(calls).toHaveLength(4);
    expect(new Set(calls.map((c) => c.headers['idempotency-key']))).toEqual(new Set([promote.id]));
    expect(calls[0]?.headers).toMatchObject({ authorization: 'Bearer t', 'content-type': 'application/json', 'x-penumbra-experiment': 'limits' });
    expect(JSON.parse(calls[0]?.body ?? '')).toMatchObject({ id: promote.id, action: 'promote', toStage: 'promoted', targetWeight: 100 });
  });

  it('fails at once on a 4xx that will not pass later', async () => {
    const { poster, calls } = scripted([{ status: 400, body: 'unknown rollout' }]);
    const result = await new WebhookActuator({ url: 'http://c/x', poster, retry: fastRetry }).apply(promote);
    expect(result.result).toBe('failed');
    expect(result.reason).toMatch(/answered 400: unknown rollout \(after 1 attempt\(s\)\)/);
    expect(calls).toHaveLength(1);
  });

  it('gives up after the bounded attempts and reports failed', async () => {
    const { poster, calls } = scripted(Array.from({ length: 10 }, () => ({ status: 500, body: 'down' })));
    const result = await new WebhookActuator({ url: 'http://c/x', poster, retry: fastRetry }).apply(promote);
    expect(result).toMatchObject({ result: 'failed' });
    expect(result.reason).toMatch(/after 4 attempt\(s\)/);
    expect(calls).toHaveLength(4);
  });

  it('posts over real HTTP with the global fetch poster', async () => {
    const seen: Array<{ key: string | undefined; body: string }> = [];
    let first = true;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ key: req.headers['idempotency-key'] as string | undefined, body });
        res.statusCode = first ? 502 : 200;
        first = false;
        res.end('done');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      await expect(new WebhookActuator({ url, retry: fastRetry }).apply(promote)).resolves.toMatchObject({ result: 'applied' });
      expect(seen.map((s) => s.key)).toEqual([promote.id, promote.id]);
      expect(JSON.parse(seen[1]?.body ?? '')).toMatchObject({ id: promote.id });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
