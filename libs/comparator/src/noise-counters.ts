import { type RedisClient, scanKeys } from '@penumbra/redis';

/**
 * The comparator's noise counters: one Redis hash per experiment and endpoint, holding the pairs
 * compared with a secondary (`req`) and, per path template, how often the candidate differed from
 * the primary (`raw:<path>`) and how often the secondary did (`noise:<path>`); without a secondary,
 * `solo` and `solo:<path>`. This file alone
 * knows that layout; everyone else reads the counters through it.
 */
export const noiseKey = (keyPrefix: string, experimentId: string, endpoint: string): string => `${keyPrefix}noise:{${experimentId}}:${endpoint}`;

export const NOISE_FIELDS = {
  requests: 'req',
  candidateDiffered: (template: string): string => `raw:${template}`,
  productionDiffered: (template: string): string => `noise:${template}`,
  /** Pairs compared without a secondary, and per template how often they differed (the volatility guess). */
  soloRequests: 'solo',
  soloDiffered: (template: string): string => `solo:${template}`,
} as const;

/** One path on which production differed from itself, with how often the candidate differed there. */
export interface NoisePathCounts {
  endpoint: string;
  path: string;
  /** Pairs compared with a secondary on this endpoint. */
  requests: number;
  /** How often the candidate differed from the primary here. */
  candidateDiffered: number;
  /** How often the secondary (production itself) differed from the primary here: the noise. */
  productionDiffered: number;
}

export const NOISE_READ_DEFAULTS = {
  /** Endpoints read per experiment. @default 50 */
  maxEndpoints: 50,
  /** Paths returned, the noisiest first. @default 100 */
  maxPaths: 100,
} as const;

const NOISE_PREFIX = NOISE_FIELDS.productionDiffered('');

/** The noisy paths of one endpoint's hash, the noisiest first. */
export function noisyPaths(endpoint: string, hash: Record<string, string>): NoisePathCounts[] {
  const requests = Number(hash[NOISE_FIELDS.requests] ?? 0);
  const rows: NoisePathCounts[] = [];
  for (const [field, value] of Object.entries(hash)) {
    if (!field.startsWith(NOISE_PREFIX)) continue;
    const productionDiffered = Number(value);
    if (!(productionDiffered > 0)) continue;
    const path = field.slice(NOISE_PREFIX.length);
    rows.push({ endpoint, path, requests, candidateDiffered: Number(hash[NOISE_FIELDS.candidateDiffered(path)] ?? 0), productionDiffered });
  }
  return rows.sort((a, b) => b.productionDiffered - a.productionDiffered);
}

const globEscape = (s: string): string => s.replace(/[*?[\]\\]/g, '\\$&');

/** An experiment's noisy paths over all its endpoints (every master of a cluster), bounded. */
export async function readNoisyPaths(redis: RedisClient, keyPrefix: string, experimentId: string, options: Partial<typeof NOISE_READ_DEFAULTS> = {}): Promise<NoisePathCounts[]> {
  const o = { ...NOISE_READ_DEFAULTS, ...options };
  const prefix = noiseKey(keyPrefix, experimentId, '');
  const keys = (await scanKeys(redis, `${globEscape(prefix)}*`, 10_000)).sort().slice(0, o.maxEndpoints);
  const rows: NoisePathCounts[] = [];
  for (const key of keys) rows.push(...noisyPaths(key.slice(prefix.length), await redis.hgetall(key)));
  return rows.sort((a, b) => b.productionDiffered - a.productionDiffered).slice(0, o.maxPaths);
}
