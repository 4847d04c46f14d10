import { type Command } from 'commander';
import { readAggregate } from '@penumbra/aggregates';
import { createRedis, redisConnectionFromEnv } from '@penumbra/redis';
import { cliEnv } from '../cli-env';
import { type Output } from '../output';
import { registerAggregatesRebuild } from './aggregates-rebuild';

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  return m ? Number(m[1]) * (UNIT_MS[m[2] as string] as number) : undefined;
}

const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(2)}%`);
const ms = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(1)} ms`);

export function registerAggregates(program: Command, out: Output): void {
  const aggregates = program.command('aggregates').description("an experiment's rolled-up evidence, as the aggregator keeps it in Redis");

  aggregates
    .command('show <experiment>')
    .description('counts, rates, latency quantiles per side, top differing paths and metric summaries over a time range')
    .option('--slice <slice>', 'a slice key such as tenant=acme ("*" is every slice)', '*')
    .option('--since <duration>', 'how far back, such as 15m, 2h or 7d', '1h')
    .option('--json', 'print JSON')
    .action(async (experiment: string, opts: { slice: string; since: string; json?: boolean }) => {
      const since = parseDuration(opts.since);
      if (since === undefined) return out.fail(`--since "${opts.since}" is not a duration`, 'use a number and a unit: 90s, 15m, 2h, 7d');
      const env = cliEnv();
      const redis = createRedis(redisConnectionFromEnv(env, 'penumbra-cli'));
      try {
        await redis.connect();
        const to = Date.now();
        const agg = await readAggregate(
          redis,
          { prefix: env.REDIS_KEY_PREFIX, windowMs: env.AGGREGATOR_WINDOW_MS },
          experiment,
          opts.slice,
          to - since,
          to + env.AGGREGATOR_WINDOW_MS,
        );
        const c = agg.counts;
        const sides = (['primary', 'candidate', 'secondary'] as const).map((side) => {
          const h = agg.latency[side];
          return { side, count: h.count, p50: h.quantile(0.5), p90: h.quantile(0.9), p99: h.quantile(0.99) };
        });
        if (opts.json)
          return out.json({
            experimentId: experiment,
            slice: opts.slice,
            from: to - since,
            to,
            windows: agg.windows,
            counts: c,
            latency: sides,
            topPaths: agg.topPaths,
            metrics: agg.metrics,
          });
        if (c.pairs === 0) return out.line(`no pairs for ${experiment} (slice ${opts.slice}) in the last ${opts.since}`);
        out.line(`${experiment}  slice ${opts.slice}  last ${opts.since}  (${agg.windows} windows)`);
        out.table(
          ['pairs', 'match', 'mismatch', 'candidate errors', 'primary errors', 'status mismatches', 'timeouts'],
          [
            [
              String(c.pairs),
              pct(c.match, c.pairs),
              pct(c.mismatch, c.pairs),
              pct(c.candidateErrors, c.pairs),
              pct(c.primaryErrors, c.pairs),
              pct(c.statusMismatches, c.pairs),
              pct(c.timeouts, c.pairs),
            ],
          ],
        );
        out.line('');
        out.table(
          ['side', 'samples', 'p50', 'p90', 'p99'],
          sides.filter((s) => s.count > 0).map((s) => [s.side, String(s.count), ms(s.p50), ms(s.p90), ms(s.p99)]),
        );
        if (agg.topPaths.length > 0) {
          out.line('');
          out.table(
            ['endpoint', 'path', 'pairs', 'examples'],
            agg.topPaths.slice(0, 10).map((p) => [p.endpoint, p.path, String(p.count), p.examples.join(' ')]),
          );
        }
        const metrics = Object.entries(agg.metrics);
        if (metrics.length > 0) {
          out.line('');
          out.table(
            ['metric', 'count', 'min', 'max', 'last', 'mean'],
            metrics.map(([k, m]) => [k, String(m.count), String(m.min), String(m.max), String(m.last), (m.sum / Math.max(1, m.count)).toFixed(4)]),
          );
        }
      } finally {
        redis.disconnect();
      }
    });

  registerAggregatesRebuild(aggregates, out);
}
