// Pairs per second of the diff engine on realistic API JSON of about 1 KB, 20 KB and 500 KB, next
// to jsondiffpatch, microdiff and deep-diff on the same parsed pairs, in the same run.
import deepDiff from 'deep-diff';
import { create as createJsonDiffPatch } from 'jsondiffpatch';
import microdiff from 'microdiff';
import { compileRules, diffJson } from '@penumbra/diff-core';
import { apiResponse, changed } from './api-json';
import { report } from './report';

const SIZES = [1_000, 20_000, 500_000];
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? '1.5');

/** Calls per second of each contender, measured in interleaved rounds so that a noisy neighbour weighs on all alike. */
function rates<K extends string>(contenders: Record<K, () => unknown>, rounds = 5): Record<K, number> {
  const entries = Object.entries(contenders) as Array<[K, () => unknown]>;
  const calls = new Map<K, number>(entries.map(([k]) => [k, 0]));
  const spent = new Map<K, number>(entries.map(([k]) => [k, 0]));
  for (const [, fn] of entries) for (let i = 0; i < 3; i += 1) fn();
  for (let r = 0; r < rounds; r += 1) {
    for (const [k, fn] of entries) {
      let n = 0;
      const started = performance.now();
      const until = started + (SECONDS * 1000) / rounds;
      while (performance.now() < until) {
        fn();
        n += 1;
      }
      calls.set(k, (calls.get(k) ?? 0) + n);
      spent.set(k, (spent.get(k) ?? 0) + (performance.now() - started));
    }
  }
  return Object.fromEntries(entries.map(([k]) => [k, (calls.get(k) ?? 0) / ((spent.get(k) ?? 1) / 1000)])) as Record<K, number>;
}

function main(): void {
  const jdp = createJsonDiffPatch({ arrays: { detectMove: false } });
  const rules = compileRules({ ignore: ['$.meta.generatedAt'], tolerances: { '$.orders[*].total': 0.001 } });
  const rows: Array<[string, string]> = [];
  const perSize: Record<string, { ours: number; peers: Record<string, number>; ratio: number }> = {};
  let worst = Infinity;
  for (const size of SIZES) {
    const a = apiResponse(size, 1);
    const b = changed(a);
    const sanity = diffJson(a, b, rules).differences.length;
    if (sanity < 3) throw new Error(`expected the changes to be found, got ${sanity}`);
    const { ours, ...peers } = rates({
      ours: () => diffJson(a, b, rules),
      microdiff: () => microdiff(a, b),
      'deep-diff': () => deepDiff.diff(a, b),
      jsondiffpatch: () => jdp.diff(a, b),
    });
    const fastest = Math.max(...Object.values(peers));
    const ratio = ours / fastest;
    worst = Math.min(worst, ratio);
    const label = `${Math.round(JSON.stringify(a).length / 1000)} KB`;
    perSize[label] = { ours: Math.round(ours), peers: Object.fromEntries(Object.entries(peers).map(([k, v]) => [k, Math.round(v)])), ratio: Math.round(ratio * 1000) / 1000 };
    rows.push([
      label,
      `ours ${Math.round(ours)}/s | ${Object.entries(peers)
        .map(([k, v]) => `${k} ${Math.round(v)}/s`)
        .join(' | ')} | ratio ${ratio.toFixed(2)}`,
    ]);
  }
  const last = perSize[Object.keys(perSize).pop() as string] as { ours: number; peers: Record<string, number> };
  report(
    {
      bench: 'diff',
      unit: 'pairs/s',
      ours: last.ours,
      peers: last.peers,
      ratio: Math.round(worst * 1000) / 1000,
      sizes: perSize,
      note: 'ratio: the worst size, ours over the fastest peer',
    },
    rows,
  );
}

main();
