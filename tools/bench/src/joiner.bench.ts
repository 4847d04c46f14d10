// Memory of the GoReplay join buffer under a flood of unmatched 100 KB request halves: heap and
// buffer growth with the byte budget (GOREPLAY_MAX_PENDING_BYTES, default 64 MiB) next to the
// count-only bound it replaced (GOREPLAY_MAX_PENDING, 50,000), on the same input in the same run.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type GoReplayMessage } from '@penumbra/contracts';
import { DEFAULT_GOREPLAY_MAX_PENDING_BYTES, GoReplayJoiner } from '@penumbra/mirror-core';
import { report } from './report';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const HALVES = Number(process.env['BENCH_JOINER_HALVES'] ?? '5000');
const BODY_BYTES = 100 * 1024;
const MiB = 1024 * 1024;

function used(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Feeds the flood as the handler does: the raw record kept beside the parsed half until it is joined or rejected. */
function flood(maxPendingBytes: number): { growth: number; pending: number; counted: number; rejected: number } {
  const before = used();
  const joiner = new GoReplayJoiner({ service: 'bench', windowMs: 60_000, maxPending: 50_000, maxPendingBytes, attributeHeaders: {} });
  const raws = new Map<string, Buffer>();
  let rejected = 0;
  for (let i = 0; i < HALVES; i += 1) {
    const message: GoReplayMessage = {
      Req_URL: `/upload/${i}`,
      Req_Type: '1',
      Req_ID: `flood-${i}`,
      Req_Ts: '1763776800000000000',
      Req_Method: 'POST',
      Req_Body: `${i}:${'x'.repeat(BODY_BYTES)}`,
      Req_Headers: { Host: 'prod', 'Content-Type': 'text/plain' },
    };
    const raw = Buffer.from(JSON.stringify(message));
    const parsed = JSON.parse(raw.toString('utf8')) as GoReplayMessage;
    raws.set(String(i), raw);
    for (const e of joiner.add(parsed, { partition: 0, offset: String(i) }, 0, raw.length)) {
      if (e.kind === 'rejected') {
        raws.delete(e.coord.offset);
        rejected += 1;
      }
    }
  }
  const growth = used() - before;
  const result = { growth, pending: joiner.size, counted: joiner.pendingBytes, rejected };
  raws.clear();
  return result;
}

function main(): void {
  const budget = flood(DEFAULT_GOREPLAY_MAX_PENDING_BYTES);
  const countOnly = flood(Number.MAX_SAFE_INTEGER);
  const mb = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
  report(
    {
      bench: 'joiner',
      unit: 'MiB retained after the flood (heap + buffers)',
      ours: Number((budget.growth / MiB).toFixed(1)),
      peers: { 'count-only (50,000)': Number((countOnly.growth / MiB).toFixed(1)) },
      ratio: Number((budget.growth / countOnly.growth).toFixed(3)),
      budgetMiB: DEFAULT_GOREPLAY_MAX_PENDING_BYTES / MiB,
      ofBudget: Number((budget.growth / DEFAULT_GOREPLAY_MAX_PENDING_BYTES).toFixed(3)),
      halves: HALVES,
      bodyBytes: BODY_BYTES,
      pending: budget.pending,
      evicted: budget.rejected,
    },
    [
      ['flood', `${HALVES} unmatched request halves of ${BODY_BYTES / 1024} KB`],
      ['byte budget (ours)', `${mb(budget.growth)} retained, ${budget.pending} waiting (${mb(budget.counted)} counted), ${budget.rejected} evicted and dead-lettered`],
      ['count-only (before)', `${mb(countOnly.growth)} retained, ${countOnly.pending} waiting, ${countOnly.rejected} evicted`],
      ['ours / budget', (budget.growth / DEFAULT_GOREPLAY_MAX_PENDING_BYTES).toFixed(2)],
      ['ours / count-only', (budget.growth / countOnly.growth).toFixed(3)],
    ],
  );
}

main();
