import { ALL_SLICES, type SliceValues, sliceKeyOf } from '@penumbra/contracts';
import { UnavailableError } from '@penumbra/errors';
import { type RedisClient, LuaScript } from '@penumbra/redis';
import { type WindowKeys } from './window-ops';

/** The value every attribute takes in an experiment's overflow slice, once it has as many slices as it may. */
export const OTHER_SLICE_VALUE = '(other)';

/** The set of an experiment's admitted slice keys; it only grows, so a refusal is final. */
export function sliceSetKey(k: WindowKeys, experimentId: string): string {
  return `${k.prefix}agg:{${experimentId}}:slices`;
}

export function otherSliceOf(slice: SliceValues): SliceValues {
  return Object.fromEntries(Object.keys(slice).map((name) => [name, OTHER_SLICE_VALUE]));
}

/** KEYS[1] the slice set; ARGV[1] the cap (0: admit no new one); ARGV[2..] slice keys. Returns 1 (admitted) or 0 per key. */
const ADMIT = new LuaScript(`
local cap = tonumber(ARGV[1])
local out = {}
for i = 2, #ARGV do
  if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 1 then out[#out + 1] = 1
  elseif redis.call('SCARD', KEYS[1]) < cap then redis.call('SADD', KEYS[1], ARGV[i]); out[#out + 1] = 1
  else out[#out + 1] = 0 end
end
return out
`);

interface Known {
  admitted: Set<string>;
  /** The set reached the cap, and `admitted` holds all of it: what is not in it is refused without asking Redis. */
  full: boolean;
}

const MAX_CACHED_EXPERIMENTS = 10_000;

/**
 * Caps the slices of each experiment: slice values come from request headers, so clients choose
 * them. The first `maxSlices` slice keys of an experiment are admitted (recorded in Redis, shared
 * by every replica and by rebuilds); later ones count in the experiment's `(other)` slice.
 */
export class SliceAdmission {
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: WindowKeys,
    /** 0 admits no new slice (a rebuild keeps what the live aggregators admitted). */
    private readonly maxSlices: number,
  ) {}

  /** Each event with its slice or its experiment's overflow slice, and how many were refused per experiment. */
  async apply<E extends { experimentId: string; slice: SliceValues }>(events: E[]): Promise<{ events: E[]; refused: Map<string, number> }> {
    const asks = new Map<string, Set<string>>();
    for (const e of events) {
      const key = sliceKeyOf(e.slice);
      if (key === ALL_SLICES || this.decided(e.experimentId, key) !== undefined) continue;
      const set = asks.get(e.experimentId) ?? new Set<string>();
      asks.set(e.experimentId, set.add(key));
    }
    for (const [experimentId, wanted] of asks) await this.ask(experimentId, [...wanted]);
    const refused = new Map<string, number>();
    const out = events.map((e) => {
      const key = sliceKeyOf(e.slice);
      if (key === ALL_SLICES || this.decided(e.experimentId, key)) return e;
      refused.set(e.experimentId, (refused.get(e.experimentId) ?? 0) + 1);
      return { ...e, slice: otherSliceOf(e.slice) };
    });
    return { events: out, refused };
  }

  private decided(experimentId: string, key: string): boolean | undefined {
    const k = this.known.get(experimentId);
    if (k?.admitted.has(key)) return true;
    return k?.full ? false : undefined;
  }

  private async ask(experimentId: string, wanted: string[]): Promise<void> {
    const setKey = sliceSetKey(this.keys, experimentId);
    let answer: unknown;
    try {
      answer = await ADMIT.run(this.redis, [setKey], [String(this.maxSlices), ...wanted]);
    } catch (err) {
      throw new UnavailableError(`redis slice admission unavailable: ${(err as Error).message}`, { experimentId }, err);
    }
    const k = this.entry(experimentId);
    const flags = Array.isArray(answer) ? answer : [];
    wanted.forEach((key, i) => flags[i] === 1 && k.admitted.add(key));
    if (flags.some((f) => f !== 1)) {
      // Full for good: every member is loaded once, so any replica decides alike without asking again.
      for (const m of await this.redis.smembers(setKey)) k.admitted.add(m);
      k.full = true;
    }
  }

  private entry(experimentId: string): Known {
    let k = this.known.get(experimentId);
    if (!k) {
      if (this.known.size >= MAX_CACHED_EXPERIMENTS) this.known.delete(this.known.keys().next().value ?? '');
      k = { admitted: new Set(), full: false };
      this.known.set(experimentId, k);
    }
    return k;
  }
}
