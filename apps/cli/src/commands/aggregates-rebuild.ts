import { type Command } from 'commander';
import { type RebuildProgress, WindowStore, rebuildExperiment } from '@penumbra/aggregates';
import { topicNames } from '@penumbra/contracts';
import { PenumbraError } from '@penumbra/errors';
import { createKafkaClient, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { createRedis, redisConnectionFromEnv } from '@penumbra/redis';
import { cliEnv } from '../cli-env';
import { type Output } from '../output';

/** The aggregator's histogram accuracy; a rebuild must bin latencies exactly as it does. */
const HISTOGRAM_ALPHA = 0.01;
const PROGRESS_EVERY_MS = 1_000;

export function progressLine(p: RebuildProgress): string {
  const pct = p.total === 0 ? 100 : Math.floor((100 * p.replayed) / p.total);
  return `rebuilding ${p.experimentId}: ${pct}% (${p.replayed.toLocaleString('en')} of ${p.total.toLocaleString('en')} records read, ${p.applied.toLocaleString('en')} events applied)`;
}

export function registerAggregatesRebuild(aggregates: Command, out: Output): void {
  aggregates
    .command('rebuild <experiment>')
    .description("drop an experiment's windows and rebuild them from the retained diffs and metrics while the aggregators keep running")
    .option('--json', 'print the result as JSON')
    .action(async (experiment: string, opts: { json?: boolean }) => {
      const env = cliEnv();
      const redis = createRedis(redisConnectionFromEnv(env, 'penumbra-cli'));
      const kafka = createKafkaClient(kafkaConnectionFromEnv(env, 'penumbra-cli'), silentLogger);
      const store = new WindowStore(redis, {
        prefix: env.REDIS_KEY_PREFIX,
        windowMs: env.AGGREGATOR_WINDOW_MS,
        retentionMs: env.AGGREGATOR_RETENTION_MS,
        dedupeMs: env.AGGREGATOR_DEDUPE_MS,
      });
      const topics = topicNames(env.TOPIC_PREFIX);
      const started = Date.now();
      let shown = 0;
      try {
        await redis.connect();
        const result = await rebuildExperiment({
          redis,
          kafka,
          store,
          topics: { diffs: topics.diffs, metrics: topics.metrics },
          experimentId: experiment,
          histogramAlpha: HISTOGRAM_ALPHA,
          maxSlicesPerExperiment: env.AGGREGATOR_MAX_SLICES_PER_EXPERIMENT,
          onProgress: (p) => {
            if (Date.now() - shown < PROGRESS_EVERY_MS && p.replayed < p.total) return;
            shown = Date.now();
            out.progress(progressLine(p));
          },
        });
        const seconds = (Date.now() - started) / 1000;
        if (opts.json) return out.json({ ...result, seconds });
        out.line(`rebuilt ${experiment} (generation ${result.generation}): ${result.applied} events from ${result.replayed} records in ${seconds.toFixed(1)} s`);
        for (const t of result.truncated) out.line(`warning: ${t.topic} partition ${t.partition} starts at offset ${t.earliest}; events older than the topic's retention are gone`);
      } catch (err) {
        if (err instanceof PenumbraError) return out.fail(err.message);
        throw err;
      } finally {
        redis.disconnect();
      }
    });
}
