import { type Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { PenumbraError } from '@penumbra/errors';
import { createReplayClient } from '@penumbra/http';
import { ReplayOptionError, parseDestinationPolicy, parseReplayPace, parseReplayWindow } from '@penumbra/mirror-core';
import { ExperimentRegistry, MirrorEngine, MirrorMetrics, type ReplayProgress, planReplay, replayTotal, runReplay } from '@penumbra/mirror';
import { createMetricsRegistry, silentLogger } from '@penumbra/observability';
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
          if (!record.spec.shadow.secondary) {
            return out.fail(`shadow.secondary: ${experiment} has no secondary; a replay compares the candidate with a live secondary, never with the stale capture`);
          }
          const registry = new ExperimentRegistry({ destinations: parseDestinationPolicy((ctx.env.MIRROR_ALLOWED_TARGETS ?? '').split(',')) });
          registry.upsert(record);
          const refused = registry.refused().get(experiment);
          if (refused !== undefined) return out.fail(`MIRROR_ALLOWED_TARGETS: ${experiment} is not replayed: its ${refused}`);
          if (!registry.get(experiment)) return out.fail(`experiment: ${experiment} is halted; resume it before replaying`);

          const run = `${new Date(now)
            .toISOString()
            .replace(/[^0-9]/g, '')
            .slice(0, 14)}-${randomBytes(3).toString('hex')}`;
          const kafka = ctx.kafka();
          const admin = await kafka.admin();
          const producer = await kafka.producer();
          const client = createReplayClient({ connectionsPerOrigin: 16 });
          const started = Date.now();
          let shown = 0;
          try {
            const ranges = await planReplay(admin, ctx.topics.traffic, window);
            out.progress(
              `replay ${run}: ${replayTotal(ranges).toLocaleString('en')} retained records from ${new Date(window.from).toISOString()} to ${new Date(window.to).toISOString()}`,
            );
            const engine = new MirrorEngine({
              experiments: registry,
              client,
              metrics: new MirrorMetrics(createMetricsRegistry('penumbra-replay', { defaultMetrics: false })),
              credentials: credentialPolicyOf(ctx.env),
              replay: { experimentId: experiment, run, kind: 'retained' },
            });
            const result = await runReplay({
              client: kafka,
              admin,
              trafficTopic: ctx.topics.traffic,
              pairsTopic: ctx.topics.pairs,
              deadLetterTopic: ctx.topics.dlq,
              groupId: `penumbra.replay.${experiment}.${run}`,
              ranges,
              window,
              pace,
              engine,
              producer,
              logger: silentLogger,
              onProgress: (p) => {
                if (Date.now() - shown < PROGRESS_EVERY_MS && p.done < p.total) return;
                shown = Date.now();
                out.progress(replayProgressLine(experiment, p, (Date.now() - started) / 1000));
              },
            });
            const seconds = (Date.now() - started) / 1000;
            if (opts.json) return out.json({ experiment, run, window, read: result.done, total: result.total, seconds });
            out.line(
              `replayed ${result.done} retained records to ${experiment} in ${seconds.toFixed(1)} s (run ${run}); their pairs count in the "~replay" rollup, apart from live evidence`,
            );
          } finally {
            await client.close();
            await producer.disconnect();
            await admin.disconnect();
          }
        } catch (err) {
          if (err instanceof ReplayOptionError || err instanceof PenumbraError) return out.fail(err.message);
          throw err;
        }
      });
    });
}
