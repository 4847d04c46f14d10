import { readFileSync } from 'node:fs';
import { type Command } from 'commander';
import { type AuditHistory, describeVerdict, formatTimeline, historyJson, readHistory, verifyAuditTopic } from '@penumbra/audit';
import { type TrustedKeys, topicNames, trustedKeysFromJson } from '@penumbra/contracts';
import { ConfigError } from '@penumbra/errors';
import { createTransactionalKafka, kafkaConnectionFromEnv } from '@penumbra/kafka';
import { silentLogger } from '@penumbra/observability';
import { cliEnv } from '../cli-env';
import { type Output } from '../output';

function auditLog() {
  const env = cliEnv();
  return { env, kafka: createTransactionalKafka(kafkaConnectionFromEnv(env, 'penumbra-cli'), silentLogger), topic: topicNames(env.TOPIC_PREFIX).audit };
}

function loadHistory(experiment: string): Promise<AuditHistory> {
  const { kafka, topic } = auditLog();
  return readHistory(kafka, topic, experiment);
}

/** The trusted audit keys from --keys or PENUMBRA_AUDIT_KEYS_FILE; undefined when neither is given. */
function loadAuditKeys(flag: string | undefined, fromEnv: string | undefined): TrustedKeys | undefined {
  const file = flag ?? fromEnv;
  if (file === undefined) return undefined;
  const source = flag !== undefined ? '--keys' : 'PENUMBRA_AUDIT_KEYS_FILE';
  try {
    return trustedKeysFromJson(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new ConfigError(`${source}: ${file} is not a readable trusted keys file: ${err instanceof Error ? err.message : String(err)}`, { path: file });
  }
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
    .command('verify [experiment]')
    .description(
      "recompute an experiment's hash chain (every experiment's without one) and check it against the audit-sink's latest signed checkpoints; exit 1 naming the first break",
    )
    .option('--keys <file>', "the audit-sink's trusted public keys (default: PENUMBRA_AUDIT_KEYS_FILE); without them only the hash chain is checked")
    .option('--json', 'print JSON')
    .action(async (experiment: string | undefined, _opts: unknown, cmd: Command) => {
      // --json after the experiment is parsed by the parent command, which declares it too.
      const opts = cmd.optsWithGlobals<{ json?: boolean; keys?: string }>();
      const { env, kafka, topic } = auditLog();
      const keys = loadAuditKeys(opts.keys, env.PENUMBRA_AUDIT_KEYS_FILE);
      const verdicts = await verifyAuditTopic(kafka, topic, { experimentId: experiment, keys });
      const broken = verdicts.filter((v) => !v.ok);
      if (broken.length > 0) process.exitCode = 1;
      if (opts.json) return out.json(experiment !== undefined ? verdicts[0] : { ok: broken.length === 0, experiments: verdicts });
      if (!keys) out.progress('checkpoints not checked: give the audit-sink public keys with --keys or PENUMBRA_AUDIT_KEYS_FILE');
      if (verdicts.length === 0) return out.line('no audit records');
      for (const v of verdicts) if (v.ok) out.line(describeVerdict(v));
      for (const v of broken)
        out.fail(
          describeVerdict(v),
          'the trail was modified, forged, truncated or reordered at that seq after it was written; records before it that a matching checkpoint covers are intact',
        );
    });
}
