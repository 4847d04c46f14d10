import { SDK_DEFAULTS } from './defaults';
import { type Command } from '@penumbra/contracts';
import { PenumbraError, type RetryOptions, UnavailableError, describeError, retry } from '@penumbra/errors';
import { type ApplyResult, type CommandTarget } from './adaptive-target';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** The one HTTP call the actuator makes; fetchPoster() is the real one, tests pass their own. */
export interface HttpPoster {
  post(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<HttpAnswer>;
}

const MAX_ANSWER_CHARS = 500;

/** Node's global fetch. A failure to connect or a timeout is an UnavailableError (retriable). */
export function fetchPoster(): HttpPoster {
  return {
    async post(url, body, headers, signal) {
      try {
        const res = await fetch(url, { method: 'POST', body, headers, signal, redirect: 'manual' });
        const text = await res.text();
        return { status: res.status, body: text.slice(0, MAX_ANSWER_CHARS) };
      } catch (err) {
        throw new UnavailableError(`POST ${url} failed: ${describeError(err)}`, { url }, err);
      }
    },
  };
}

export interface WebhookActuatorOptions {
  /** The controller's endpoint: Argo Rollouts or Flagger behind a small adapter, or a team's own. */
  url: string;
  poster?: HttpPoster;
  /** Sent with every request, for the endpoint's authentication. */
  headers?: Record<string, string>;
  /** Per attempt. */
  timeoutMs?: number;
  retry?: RetryOptions;
}

/** 408, 425, 429 and 5xx may pass on a later attempt; any other status will not. */
function retriableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * Forwards each command to an HTTP endpoint as JSON, with the command id as `Idempotency-Key`
 * (the same on every attempt and on a redelivery, so the endpoint can apply it once), retrying
 * with bounded backoff. A 2xx is applied; anything else, after the retries, is failed.
 */
export class WebhookActuator implements CommandTarget {
  private readonly poster: HttpPoster;

  constructor(private readonly options: WebhookActuatorOptions) {
    this.poster = options.poster ?? fetchPoster();
  }

  async apply(command: Command): Promise<ApplyResult> {
    const o = this.options;
    const body = JSON.stringify(command);
    const headers = { ...o.headers, 'content-type': 'application/json', 'idempotency-key': command.id, 'x-penumbra-experiment': command.experimentId };
    let attempts = 0;
    try {
      const answer = await retry(async (attempt) => {
        attempts = attempt;
        const res = await this.poster.post(o.url, body, headers, AbortSignal.timeout(o.timeoutMs ?? SDK_DEFAULTS.webhook.timeoutMs));
        if (res.status >= 200 && res.status < 300) return res;
        throw new PenumbraError(`${o.url} answered ${res.status}: ${res.body.slice(0, MAX_ANSWER_CHARS)}`, {
          code: 'SDK_WEBHOOK_REFUSED',
          retriable: retriableStatus(res.status),
          context: { url: o.url, status: res.status, commandId: command.id },
        });
      }, o.retry ?? SDK_DEFAULTS.webhook.retry);
      return { result: 'applied', reason: `${o.url} answered ${answer.status} after ${attempts} attempt(s)` };
    } catch (err) {
      return { result: 'failed', reason: `${describeError(err)} (after ${attempts} attempt(s))`.slice(0, 2000) };
    }
  }
}
