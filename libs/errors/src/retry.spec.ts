import { ConfigError, PenumbraError, UnavailableError, isRetriable } from './penumbra-error';
import { backoffDelay, retry } from './retry';

const noSleep = async (): Promise<void> => undefined;

describe('retry', () => {
  it('retries a retriable error and returns the eventual result', async () => {
    let calls = 0;
    const result = await retry(
      async () => {
        calls += 1;
        if (calls < 3) throw new UnavailableError('broker away');
        return 'ok';
      },
      { attempts: 5, initialDelayMs: 1, maxDelayMs: 1, sleep: noSleep },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('never retries an error that is not retriable', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls += 1;
          throw new ConfigError('KAFKA_BROKERS: required');
        },
        { attempts: 5, initialDelayMs: 1, maxDelayMs: 1, sleep: noSleep },
      ),
    ).rejects.toThrow('KAFKA_BROKERS');
    expect(calls).toBe(1);
  });

  it('gives up after the bounded number of attempts with the last error', async () => {
    let calls = 0;
    const delays: number[] = [];
    await expect(
      retry(
        async () => {
          calls += 1;
          throw new UnavailableError(`try ${calls}`);
        },
        { attempts: 4, initialDelayMs: 10, maxDelayMs: 25, random: () => 1, sleep: noSleep, onRetry: (_e, _a, d) => delays.push(d) },
      ),
    ).rejects.toThrow('try 4');
    expect(calls).toBe(4);
    expect(delays).toEqual([10, 20, 25]);
  });

  it('treats foreign errors by their own retriable flag', () => {
    expect(isRetriable(Object.assign(new Error('x'), { retriable: true }))).toBe(true);
    expect(isRetriable(new Error('x'))).toBe(false);
    expect(isRetriable(new PenumbraError('x', { code: 'X', retriable: true }))).toBe(true);
  });

  it('bounds every backoff delay', () => {
    for (let attempt = 1; attempt < 40; attempt += 1) {
      expect(backoffDelay(attempt, { initialDelayMs: 100, maxDelayMs: 5000, random: () => 0.999 })).toBeLessThanOrEqual(5000);
    }
  });
});
