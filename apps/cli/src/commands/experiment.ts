import { randomUUID } from 'node:crypto';
import { type Command } from 'commander';
import { EXPERIMENT_DELETION_HEADER, type ExperimentRecord, experimentRecordSchema, signExperimentDeletion, signExperimentRecord } from '@penumbra/contracts';
import { encodeEvent } from '@penumbra/kafka';
import { policyHash } from '@penumbra/policy-core';
import { withContext } from '../cli-context';
import { operatorSigner } from '../operator-key';
import { type Output } from '../output';
import { loadExperiment } from './policy';

function row(r: ExperimentRecord, signer: string): string[] {
  const s = r.spec;
  return [
    r.experimentId,
    s.target.service,
    s.shadow.candidate.baseUrl,
    String(s.shadow.sampleRate),
    s.policy.stages.map((x) => x.name).join(' → '),
    r.halted ? `halted: ${r.halted.reason}` : 'active',
    signer,
    new Date(r.ts).toISOString(),
  ];
}

export function registerExperiment(program: Command, out: Output): void {
  const experiment = program.command('experiment').description('declare experiments: validated, then published to the compacted experiments topic that every service reads');

  experiment
    .command('apply')
    .description(
      'validate an experiment (YAML or JSON), sign it with your operator key (PENUMBRA_OPERATOR_KEY_FILE) and publish it; applying it again replaces it (and lifts a halt)',
    )
    .requiredOption('-f, --file <file>', 'the experiment file')
    .option('--json', 'print the published record as JSON')
    .action((opts: { file: string; json?: boolean }) =>
      withContext(async (ctx) => {
        const spec = loadExperiment(opts.file);
        const signer = operatorSigner();
        const record = signExperimentRecord({ type: 'experiment.v1', id: randomUUID(), ts: Date.now(), experimentId: spec.id, actor: signer.operator, spec }, signer);
        const producer = await ctx.kafka().producer();
        try {
          await producer.send([encodeEvent(experimentRecordSchema, record, ctx.topics.experiments, spec.id)]);
        } finally {
          await producer.disconnect();
        }
        if (opts.json) return out.json(record);
        out.line(
          `applied ${spec.id} as ${signer.operator} (key ${signer.keyId}; policy ${policyHash(spec.policy).slice(0, 12)}, stages ${spec.policy.stages.map((s) => s.name).join(' → ')}) to ${ctx.topics.experiments}`,
        );
        out.line(`follow it with: npx penumbra watch ${spec.id}`);
      }),
    );

  experiment
    .command('list')
    .description('every experiment on the experiments topic')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      withContext(async (ctx) => {
        const checked = await ctx.experimentsChecked();
        const all = [...checked.records.values()].sort((a, b) => a.experimentId.localeCompare(b.experimentId));
        const signer = (id: string) => (checked.checked ? `signed by ${checked.signedBy.get(id) ?? '?'}` : 'not checked (set PENUMBRA_OPERATOR_KEYS_FILE)');
        if (opts.json) return out.json(all.map((r) => ({ ...r, verifiedAs: checked.checked ? (checked.signedBy.get(r.experimentId) ?? null) : 'not checked' })));
        for (const [id, reason] of checked.refused) out.line(`REFUSED record for ${id} (services ignore it and keep the previous valid one): ${reason}`);
        if (all.length === 0) return out.line(`no experiments on ${ctx.topics.experiments}; apply one with: npx penumbra experiment apply -f <file>`);
        out.table(
          ['id', 'service', 'candidate', 'sample', 'stages', 'state', 'signature', 'applied'],
          all.map((r) => row(r, signer(r.experimentId))),
        );
      }),
    );

  experiment
    .command('get <id>')
    .description("one experiment's record with its full specification (defaults filled)")
    .option('--json', 'print JSON (the default output is JSON too, indented)')
    .action((id: string) =>
      withContext(async (ctx) => {
        const record = await ctx.experiment(id);
        if (record === undefined) return out.fail(`no experiment ${id} on ${ctx.topics.experiments}`, 'list them with: npx penumbra experiment list');
        out.json(record);
      }),
    );

  experiment
    .command('delete <id>')
    .description('delete an experiment (a tombstone on the compacted topic, your signed deletion in its header): every service stops working on it')
    .action((id: string) =>
      withContext(async (ctx) => {
        if ((await ctx.experiment(id)) === undefined) return out.fail(`no experiment ${id} on ${ctx.topics.experiments}`, 'list them with: npx penumbra experiment list');
        const signer = operatorSigner();
        const deletion = signExperimentDeletion({ id: randomUUID(), ts: Date.now(), experimentId: id }, signer);
        const producer = await ctx.kafka().producer();
        try {
          await producer.send([{ topic: ctx.topics.experiments, key: id, value: null, headers: { [EXPERIMENT_DELETION_HEADER]: JSON.stringify(deletion) } }]);
        } finally {
          await producer.disconnect();
        }
        out.line(`deleted ${id} as ${signer.operator}`);
      }),
    );
}
