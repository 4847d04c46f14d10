import { PenumbraError } from '@penumbra/errors';

/** A replay option the operator gave that cannot be used; the message names the option. */
export class ReplayOptionError extends PenumbraError {
  constructor(option: string, message: string) {
    super(`${option}: ${message}`, { code: 'REPLAY_OPTION_INVALID', retriable: false, context: { option } });
  }
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Longer than any traffic retention worth replaying; a bound, so a typo cannot ask for centuries. */
const MAX_LOOKBACK_MS = 90 * 86_400_000;

/** A time ("2026-11-28T10:00:00Z", epoch ms) or a duration before now ("2h", "30m", "90s", "1d"). */
export function parseReplayTime(option: string, value: string, now: number): number {
  const text = value.trim();
  const duration = DURATION.exec(text);
  if (duration) {
    const ms = Number(duration[1]) * (UNIT_MS[duration[2] ?? 'ms'] ?? 1);
    if (ms > MAX_LOOKBACK_MS) throw new ReplayOptionError(option, `"${value}" reaches back more than 90 days`);
    return Math.round(now - ms);
  }
  const at = /^\d{10,16}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(at)) throw new ReplayOptionError(option, `"${value}" is neither a time (2026-11-28T10:00:00Z or epoch ms) nor a duration before now (90s, 30m, 2h, 1d)`);
  if (at > now) throw new ReplayOptionError(option, `"${value}" is in the future; retained traffic ends now`);
  if (now - at > MAX_LOOKBACK_MS) throw new ReplayOptionError(option, `"${value}" reaches back more than 90 days`);
  return at;
}

export interface ReplayWindow {
  from: number;
  to: number;
}

export function parseReplayWindow(from: string, to: string | undefined, now: number): ReplayWindow {
  const start = parseReplayTime('--from', from, now);
  const end = to === undefined ? now : parseReplayTime('--to', to, now);
  if (end <= start) throw new ReplayOptionError('--to', `must be after --from (${new Date(start).toISOString()}), got ${new Date(end).toISOString()}`);
  return { from: start, to: end };
}

/** How fast retained traffic is replayed: its captured pace sped up, a fixed rate, or as fast as the experiment's caps allow. */
export type ReplayPace = { kind: 'speed'; factor: number } | { kind: 'rate'; perSecond: number } | { kind: 'caps' };

const MAX_SPEED = 10_000;
const MAX_RATE = 100_000;

export function parseReplayPace(speed: string | undefined, rate: string | undefined): ReplayPace {
  if (speed !== undefined && rate !== undefined) throw new ReplayOptionError('--speed', 'give either --speed or --rate, not both');
  if (speed !== undefined) {
    const m = /^(\d+(?:\.\d+)?)x$/i.exec(speed.trim());
    const factor = m ? Number(m[1]) : NaN;
    if (!(factor > 0 && factor <= MAX_SPEED)) throw new ReplayOptionError('--speed', `"${speed}" must be a speed-up such as 10x, above 0x and at most ${MAX_SPEED}x`);
    return { kind: 'speed', factor };
  }
  if (rate !== undefined) {
    const m = /^(\d+(?:\.\d+)?)(?:\/s)?$/i.exec(rate.trim());
    const perSecond = m ? Number(m[1]) : NaN;
    if (!(perSecond > 0 && perSecond <= MAX_RATE)) throw new ReplayOptionError('--rate', `"${rate}" must be requests per second such as 50/s, above 0 and at most ${MAX_RATE}/s`);
    return { kind: 'rate', perSecond };
  }
  return { kind: 'caps' };
}

/** When each retained record is due, measured from the start of the replay. */
export class ReplayPacer {
  private sent = 0;

  constructor(
    private readonly pace: ReplayPace,
    private readonly startedAt: number,
    private readonly windowFrom: number,
  ) {}

  /** Gives back the last slot taken by `next`, when its record was not sent after all. */
  unread(): void {
    this.sent = Math.max(0, this.sent - 1);
  }

  /** The time the next record, captured at `capturedAt`, may be replayed. */
  next(capturedAt: number): number {
    const index = this.sent++;
    switch (this.pace.kind) {
      case 'speed':
        return this.startedAt + Math.max(0, capturedAt - this.windowFrom) / this.pace.factor;
      case 'rate':
        return this.startedAt + (index * 1000) / this.pace.perSecond;
      case 'caps':
        return this.startedAt;
    }
  }
}
