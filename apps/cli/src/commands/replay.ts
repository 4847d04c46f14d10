import { type Command } from 'commander';
import { PenumbraError } from '@penumbra/errors';
import { ReplayOptionError, parseDestinationPolicy, parseReplayPace, parseReplayWindow } from '@penumbra/mirror-core';
import { type ReplayProgress, replayRetained } from '@penumbra/mirror';
import { credentialPolicyOf } from '@penumbra/service-kit';
import { withContext } from '../cli-context';
import { type Output } from '../output';

const PROGRESS_EVERY_MS = 1_000;

export function replayProgressLine(experiment: string, p: ReplayProgress, seconds: number): string {
  const pct = p.total === 0 ? 100 : Math.floor((100 * p.done) / p.total);
  return `replaying ${experiment}: ${pct}% (${p.done.toLocaleString('en')} of ${p.total.toLocaleString('en')} retained records, ${seconds.toFixed(0)} s)`;
}

interface ReplayOptions {
  from: string;
  to?: string;
  speed?: string;
  rate?: string;
  json?: boolean;
}

export function registerReplay(program: Command, out: Output): void {
  program
    .command('replay <experiment>')
    .description(
      "replay captured traffic from the traffic topic's retention to an experiment's candidate, under the replay's own consumer group and the mirror's rules, caps and sampling. " +
        "The capture is stale, so the live secondary answers in the primary's place and a second secondary answer measures noise: the experiment needs shadow.secondary. " +
        'Replayed pairs are marked and counted apart from live evidence (the "~replay" rollup).',
    )
    .requiredOption('--from <time|duration>', 'start of the window: a time (2026-11-28T10:00:00Z, epoch ms) or a duration before now (90s, 30m, 2h, 1d)')
    .option('--to <time|duration>', 'end of the window, same forms (default: now)')
    .option('--speed <factor>', "replay at the captured pace sped up, e.g. 10x (default: as fast as the experiment's caps allow)")
    .option('--rate <n/s>', 'replay at a fixed rate, e.g. 50/s')
    .option('--json', 'print the result as JSON')
    .action(async (experiment: string, opts: ReplayOptions) => {
      await withContext(async (ctx) => {
        try {
          const now = Date.now();
          const window = parseReplayWindow(opts.from, opts.to, now);
          const pace = parseReplayPace(opts.speed, opts.rate);
          const record = (await ctx.experiments()).get(experiment);
          if (!record) return out.fail(`experiment: no experiment "${experiment}"`, 'run `penumbra experiment list` to see them');
          let shown = 0;
          const result = await replayRetained({
            kafka: ctx.kafka(),
            record,
            topics: { traffic: ctx.topics.traffic, pairs: ctx.topics.pairs, dlq: ctx.topics.dlq },
            window,
            pace,
            destinations: parseDestinationPolicy((ctx.env.MIRROR_ALLOWED_TARGETS ?? '').split(',')),
            credentials: credentialPolicyOf(ctx.env),
            now,
            onPlanned: (run, total) =>
              out.progress(`replay ${run}: ${total.toLocaleString('en')} retained records from ${new Date(window.from).toISOString()} to ${new Date(window.to).toISOString()}`),
            onProgress: (p) => {
              if (Date.now() - shown < PROGRESS_EVERY_MS && p.done < p.total) return;
              shown = Date.now();
              out.progress(replayProgressLine(experiment, p, (Date.now() - now) / 1000));
            },
          });
          if (opts.json) return out.json({ experiment, run: result.run, window, read: result.done, total: result.total, seconds: result.seconds });
          out.line(
            `replayed ${result.done} retained records to ${experiment} in ${result.seconds.toFixed(1)} s (run ${result.run}); their pairs count in the "~replay" rollup, apart from live evidence`,
          );
        } catch (err) {
          if (err instanceof ReplayOptionError || err instanceof PenumbraError) return out.fail(err.message);
          throw err;
        }
      });
    });
}
