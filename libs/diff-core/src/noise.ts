/** Counters of one endpoint, as kept in the shared store. */
export interface NoiseCounters {
  /** Pairs that had a secondary. */
  requests: number;
  /** How often primary and candidate differed at the path (in pairs with a secondary). */
  raw: number;
  /** How often primary and secondary differed at the path. */
  noise: number;
}

export interface NoiseThresholds {
  relativeThreshold: number;
  absoluteThreshold: number;
}

/**
 * Diffy's rule: a path's differences are noise unless the candidate differs from the primary
 * clearly more often than production differs from itself: raw exceeds noise by more than the
 * relative threshold, and by more than the absolute threshold of the endpoint's requests.
 */
export function isNoise(c: NoiseCounters, t: NoiseThresholds): boolean {
  if (c.noise === 0) return false;
  const excess = c.raw - c.noise;
  const relative = excess / c.noise;
  const absolute = c.requests > 0 ? excess / c.requests : 0;
  return !(relative > t.relativeThreshold && absolute > t.absoluteThreshold);
}

const VOLATILE_NAME =
  /(^|[._-])(id|uuid|guid|nonce|trace|span|request|correlation|timestamp|ts|time|date|created|updated|expires|etag|version|seq)([._-]|$)|(Id|At|Time|Ts|Uuid)$/i;
const ISO_TIME = /^"?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const UUID = /^"?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"?$/i;
const HEXISH = /^"?[0-9a-f]{16,}"?$/i;
const EPOCH = /^\d{10}(\d{3})?(\.\d+)?$/;

/** Whether a path and a sample of its values look like a volatile field: ids, timestamps, nonces. */
export function looksVolatile(path: string, values: ReadonlyArray<string | undefined>): boolean {
  const last =
    path
      .split(/[.[\]"]/)
      .filter(Boolean)
      .pop() ?? '';
  if (VOLATILE_NAME.test(last)) return true;
  const present = values.filter((v): v is string => v !== undefined);
  return present.length > 0 && present.every((v) => ISO_TIME.test(v) || UUID.test(v) || HEXISH.test(v) || EPOCH.test(v));
}

/** A path without a secondary is suspected noise when it differs in nearly every pair and looks volatile. */
export function isSuspectedVolatile(differing: number, pairs: number, volatile: boolean, minPairs = 20, rate = 0.9): boolean {
  return volatile && pairs >= minPairs && differing / pairs >= rate;
}
