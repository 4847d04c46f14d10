import { writeFileSync } from 'node:fs';
import { type Command } from 'commander';
import { readAggregate } from '@penumbra/aggregates';
import { readHistory, verifyChain } from '@penumbra/audit';
import { type ExperimentRecord } from '@penumbra/contracts';
import { PenumbraError } from '@penumbra/errors';
import {
  diffRows,
  excessText,
  gatherReport,
  readExperimentStatus,
  readPathVerdicts,
  renderHtml,
  renderMarkdown,
  renderStatus,
  verdictSummary,
  verdictText,
} from '@penumbra/insight';
import { type CliContext, withContext } from '../cli-context';
import { type Output } from '../output';
import { parseDuration } from './aggregates';

async function mustGet(ctx: CliContext, id: string): Promise<ExperimentRecord> {
  const record = await ctx.experiment(id);
  if (record === undefined)
    throw new PenumbraError(`no experiment ${id} on ${ctx.topics.experiments}: list them with npx penumbra experiment list`, { code: 'EXPERIMENT_UNKNOWN', retriable: false });
  return record;
}

function since(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new PenumbraError(`--since "${text}" is not a duration: use a number and a unit, such as 90s, 15m, 2h or 7d`, { code: 'BAD_OPTION', retriable: false });
  return ms;
}

function windowsOf(ctx: CliContext): { prefix: string; windowMs: number } {
  return { prefix: ctx.env.REDIS_KEY_PREFIX, windowMs: ctx.env.AGGREGATOR_WINDOW_MS };
}

export function registerInspect(program: Command, out: Output): void {
  program
    .command('status <experiment>')
    .description('stage, every gate with its value and bound, progress toward the minimum samples and bake time, and why it is not promoted yet')
    .option('--json', 'print JSON')
    .action((id: string, opts: { json?: boolean }) =>
      withContext(async (ctx) => {
        const status = await readExperimentStatus(await ctx.redis(), ctx.env.REDIS_KEY_PREFIX, await mustGet(ctx, id));
        if (opts.json) return out.json(status);
        renderStatus(status, Date.now()).forEach((l) => out.line(l));
      }),
    );

  program
    .command('watch <experiment>')
    .description('the status, redrawn every second until Ctrl-C')
    .option('--interval <ms>', 'redraw period', '1000')
    .action((id: string, opts: { interval: string }) =>
      withContext(async (ctx) => {
        const record = await mustGet(ctx, id);
        const redis = await ctx.redis();
        let stop = false;
        process.once('SIGINT', () => (stop = true));
        while (!stop) {
          const status = await readExperimentStatus(redis, ctx.env.REDIS_KEY_PREFIX, record);
          const agg = await readAggregate(
            redis,
            { prefix: ctx.env.REDIS_KEY_PREFIX, windowMs: ctx.env.AGGREGATOR_WINDOW_MS },
            id,
            '*',
            Date.now() - 60_000,
            Date.now() + ctx.env.AGGREGATOR_WINDOW_MS,
          );
          const rate = agg.counts.pairs === 0 ? 'n/a' : `${((100 * agg.counts.match) / agg.counts.pairs).toFixed(2)}%`;
          const lines = [
            `penumbra watch ${id} · ${new Date().toISOString()} · last minute: ${agg.counts.pairs} pairs, match rate ${rate}`,
            '',
            ...renderStatus(status, Date.now()),
          ];
          process.stdout.write(process.stdout.isTTY ? `\x1b[2J\x1b[H${lines.join('\n')}\n` : `${lines.join('\n')}\n\n`);
          await new Promise((r) => setTimeout(r, Math.max(200, Number(opts.interval))));
        }
      }),
    );

  program
    .command('diffs <experiment>')
    .description("the differing fields per endpoint with each path's verdict (regression, noise or undecided, with its excess difference rate), and example values from both sides")
    .option('--since <duration>', 'how far back', '1h')
    .option('--slice <slice>', 'a slice key such as tenant=acme', '*')
    .option('--json', 'print JSON')
    .action((id: string, opts: { since: string; slice: string; json?: boolean }) =>
      withContext(async (ctx) => {
        const to = Date.now();
        const agg = await readAggregate(await ctx.redis(), windowsOf(ctx), id, opts.slice, to - since(opts.since), to + ctx.env.AGGREGATOR_WINDOW_MS);
        const record = await ctx.experiment(id);
        const verdicts = record === undefined ? undefined : await readPathVerdicts(await ctx.redis(), windowsOf(ctx), record, opts.slice);
        const rows = diffRows(agg, verdicts);
        if (opts.json) return out.json({ experimentId: id, slice: opts.slice, pairs: agg.counts.pairs, differences: rows, ...(verdicts ? { verdicts } : {}) });
        if (verdicts) out.line(verdictSummary(verdicts));
        else out.line('no per-path verdicts yet: they need pairs with a secondary (shadow.secondary)');
        if (rows.length === 0) return out.line(`no differences for ${id} in the last ${opts.since} (${agg.counts.pairs} pairs)`);
        const byEndpoint = new Map<string, typeof rows>();
        for (const r of rows) byEndpoint.set(r.endpoint, [...(byEndpoint.get(r.endpoint) ?? []), r]);
        for (const [endpoint, list] of byEndpoint) {
          out.line('');
          out.line(endpoint);
          out.table(
            ['path', 'verdict', 'excess [bounds]', 'pairs', 'share', 'primary', 'candidate', 'pair'],
            list.map((r) => [
              r.path,
              verdictText(r),
              excessText(r.excess),
              String(r.pairs),
              `${(100 * r.share).toFixed(1)}%`,
              r.example?.primary ?? '-',
              r.example?.candidate ?? '-',
              r.example?.pairId ?? '-',
            ]),
          );
        }
      }),
    );

  program
    .command('report <experiment>')
    .description('a shadow validation report: match rate, latency per side, errors, top differences, the decision timeline from the audit, the verdict')
    .option('--format <format>', 'md, html (self-contained, with SVG charts) or json', 'md')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--since <duration>', 'how far back', '24h')
    .action((id: string, opts: { format: string; output?: string; since: string }) =>
      withContext(async (ctx) => {
        if (!['md', 'html', 'json'].includes(opts.format)) return out.fail(`unknown format "${opts.format}"`, 'use md, html or json');
        const record = await mustGet(ctx, id);
        const redis = await ctx.redis();
        out.progress(`reading the aggregates, the sentinel's state and the audit of ${id}…`);
        const history = await readHistory(ctx.log(), ctx.topics.audit, id);
        const now = Date.now();
        const report = await gatherReport({
          redis,
          windows: { prefix: ctx.env.REDIS_KEY_PREFIX, windowMs: ctx.env.AGGREGATOR_WINDOW_MS },
          record,
          status: await readExperimentStatus(redis, ctx.env.REDIS_KEY_PREFIX, record),
          audit: { records: history.records, verified: history.records.length === 0 ? null : verifyChain(history.raw).ok },
          from: now - since(opts.since),
          to: now + ctx.env.AGGREGATOR_WINDOW_MS,
          now,
        });
        const text = opts.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : opts.format === 'html' ? renderHtml(report) : renderMarkdown(report);
        if (opts.output === undefined) return void process.stdout.write(text);
        writeFileSync(opts.output, text);
        out.line(`wrote ${opts.output} (${report.verdict.decision.replace('_', ' ')}, ${report.counts.pairs} pairs)`);
      }),
    );
}
