import { type Command } from 'commander';
import { type AuditHistory, formatTimeline, historyJson, readHistory, verifyChain } from '@penumbra/audit';
import { topicNames } from '@penumbra/contracts';
import { createTransactionalKafka, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { cliEnv } from '../cli-env';
import { type Output } from '../output';

function loadHistory(experiment: string): Promise<AuditHistory> {
  const env = cliEnv();
  const kafka = createTransactionalKafka(kafkaConnectionFromEnv(env, 'penumbra-cli'), silentLogger);
  return readHistory(kafka, topicNames(env.TOPIC_PREFIX).audit, experiment);
}

export function registerAudit(program: Command, out: Output): void {
  const audit = program
    .command('audit')
    .description("an experiment's audit trail from the audit topic: who did what, when and why, with each command's evidence")
    .argument('<experiment>', 'the experiment id (_global for events that belong to none)')
    .option('--json', 'print JSON')
    .action(async (experiment: string, opts: { json?: boolean }) => {
      const history = await loadHistory(experiment);
      if (opts.json) return out.json(historyJson(experiment, history.records));
      if (history.records.length === 0) return out.line(`no audit records for ${experiment}`);
      out.line(`${experiment}: ${history.records.length} audit records (partition ${history.partition ?? '-'})`);
      formatTimeline(history.records).forEach((line) => out.line(line));
    });

  audit
    .command('verify <experiment>')
    .description("recompute an experiment's hash chain and report the first broken link; exit 1 if broken")
    .option('--json', 'print JSON')
    .action(async (experiment: string, _opts: unknown, cmd: Command) => {
      // --json after the experiment is parsed by the parent command, which declares it too.
      const opts = cmd.optsWithGlobals<{ json?: boolean }>();
      const history = await loadHistory(experiment);
      const verdict = verifyChain(history.raw);
      if (opts.json) {
        out.json({ experimentId: experiment, partition: history.partition, ...verdict });
        if (!verdict.ok) process.exitCode = 1;
        return;
      }
      const b = verdict.firstBroken;
      if (!b)
        return out.line(
          `${experiment}: the chain verifies (${verdict.count} records${verdict.duplicates > 0 ? `, ${verdict.duplicates} redelivered copies awaiting compaction` : ''})`,
        );
      out.line(`${experiment}: ${verdict.count} records verify, then the chain breaks`);
      out.fail(
        `broken link at seq ${b.seq ?? '?'} (${b.id ?? 'no id'}): ${b.reason}`,
        'that record was modified, forged or removed after it was written; the records before it are intact',
      );
    });
}
