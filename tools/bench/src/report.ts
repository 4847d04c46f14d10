export interface BenchResult {
  bench: string;
  unit: string;
  ours: number;
  peers: Record<string, number>;
  /** ours divided by the best peer. */
  ratio: number;
  [extra: string]: unknown;
}

/** Prints a readable table; with --json, the last line is the result as one JSON object. */
export function report(result: BenchResult, rows: Array<[string, string]>): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`\n${result.bench}\n${'-'.repeat(result.bench.length)}\n`);
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
}

export function bestPeer(peers: Record<string, number>): number {
  return Math.max(...Object.values(peers));
}
