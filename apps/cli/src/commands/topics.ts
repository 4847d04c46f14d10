import { DEFAULT_TOPIC_PREFIX } from '@penumbra/contracts';
import { type Command } from 'commander';
import { TOPIC_KEYS, TOPICS, topicName } from '@penumbra/contracts';
import { createKafkaClient, kafkaConnectionFromEnv, provisionTopics } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { cliEnv } from '../cli-env';
import { type Output } from '../output';

export function registerTopics(program: Command, out: Output): void {
  const topics = program.command('topics').description("Penumbra's Kafka topics: names, settings and provisioning");

  topics
    .command('list')
    .description('every topic with its partitions, cleanup policy and retention (as the design sets them)')
    .option('--prefix <prefix>', 'topic name prefix (default: TOPIC_PREFIX or "shadow.")')
    .option('--json', 'print JSON')
    .action((opts: { prefix?: string; json?: boolean }) => {
      const prefix = opts.prefix ?? process.env['TOPIC_PREFIX'] ?? DEFAULT_TOPIC_PREFIX;
      const rows = TOPIC_KEYS.map((k) => {
        const t = TOPICS[k];
        return { topic: topicName(prefix, k), partitions: t.partitions, cleanup: t.cleanupPolicy, retentionMs: 'retentionMs' in t ? t.retentionMs : null };
      });
      if (opts.json) return out.json(rows);
      out.table(
        ['topic', 'partitions', 'cleanup', 'retention'],
        rows.map((r) => [r.topic, String(r.partitions), r.cleanup, r.retentionMs === null ? '-' : `${Math.round(r.retentionMs / 3_600_000)} h`]),
      );
    });

  topics
    .command('provision')
    .description('create every topic with its settings and repair config drift; running it again changes nothing')
    .option('--prefix <prefix>', 'topic name prefix (default: TOPIC_PREFIX or "shadow.")')
    .option('--replication-factor <n>', 'replication factor for new topics (default: 3 with min.insync.replicas=2 on a cluster of three or more brokers, else 1)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { prefix?: string; replicationFactor?: string; json?: boolean }) => {
      const env = cliEnv();
      const client = createKafkaClient(kafkaConnectionFromEnv(env, 'penumbra-cli'), silentLogger);
      const admin = await client.admin();
      try {
        const report = await provisionTopics(admin, {
          prefix: opts.prefix ?? env.TOPIC_PREFIX,
          ...(opts.replicationFactor === undefined ? {} : { replicationFactor: Number(opts.replicationFactor) }),
        });
        if (opts.json) return out.json(report);
        out.line(`created ${report.created.length}, updated ${report.updated.length}, unchanged ${report.unchanged.length}`);
        for (const t of report.created) out.line(`  + ${t}`);
        for (const u of report.updated)
          out.line(
            `  ~ ${u.topic}: ${Object.entries(u.changed)
              .map(([k, v]) => `${k} ${v.from ?? '(default)'} -> ${v.to}`)
              .join(', ')}`,
          );
        for (const w of report.warnings) out.line(`  ! ${w}`);
      } finally {
        await admin.disconnect();
      }
    });
}
