/**
 * Traffic for a local run: `steady` stays under both policies' limits (the decisions agree),
 * `bursty` sends bursts the proposed policy's burst cap refuses and the current one allows.
 * Usage: load.ts steady|bursty [seconds] [base URL]
 */
const [mode = 'steady', secondsArg = '60', base = 'http://127.0.0.1:8080'] = process.argv.slice(2);

async function hit(tenant: string, counts: Map<number, number>): Promise<void> {
  const res = await fetch(`${base}/api/${tenant}/orders`).catch(() => undefined);
  const status = res?.status ?? 0;
  counts.set(status, (counts.get(status) ?? 0) + 1);
  await res?.arrayBuffer();
}

async function main(): Promise<void> {
  if (mode !== 'steady' && mode !== 'bursty') throw new Error('mode must be steady or bursty');
  const until = Date.now() + Number(secondsArg) * 1000;
  const counts = new Map<number, number>();
  let tick = 0;
  while (Date.now() < until) {
    if (mode === 'steady') {
      // 40 requests a second over 100 tenants: 24 a minute each, never 10 in a second.
      await Promise.all(Array.from({ length: 4 }, (_, i) => hit(`tenant-${(tick * 4 + i) % 100}`, counts)));
      await new Promise((r) => setTimeout(r, 100));
    } else {
      // Every 2 s, 15 requests at once from each of 5 tenants.
      await Promise.all(Array.from({ length: 75 }, (_, i) => hit(`burst-${i % 5}`, counts)));
      await new Promise((r) => setTimeout(r, 2000));
    }
    tick += 1;
  }
  process.stdout.write(`${[...counts].map(([status, n]) => `${status === 0 ? 'unreachable' : status}: ${n}`).join(', ')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
