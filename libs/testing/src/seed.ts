import { seededRandom } from '@penumbra/stats-core';

/**
 * A seeded generator for a test's random choices (kill delays, orders). The seed comes from
 * PENUMBRA_TEST_SEED when set, else from the clock; it is printed, so a failure can be replayed.
 */
export function testRandom(label: string): { seed: number; next: () => number } {
  const given = process.env['PENUMBRA_TEST_SEED'];
  const seed = given !== undefined && /^\d+$/.test(given) ? Number(given) : Date.now() % 2 ** 31;
  process.stderr.write(`${label}: random seed ${seed} (PENUMBRA_TEST_SEED=${seed} replays it)\n`);
  return { seed, next: seededRandom(seed) };
}
