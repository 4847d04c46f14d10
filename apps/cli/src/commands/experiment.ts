import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { type Command } from 'commander';
import { type ExperimentRecord, experimentRecordSchema } from '@penumbra/contracts';
import { encodeEvent } from '@penumbra/kafka';
import { policyHash } from '@penumbra/policy-core';
import { withContext } from '../cli-context';
import { type Output } from '../output';
import { loadExperiment } from './policy';

export function currentActor(): string {
  return process.env['PENUMBRA_ACTOR'] ?? userInfo().username;
}

function row(r: ExperimentRecord): string[] {
  const s = r.spec;
  return [
    r.experimentId,
    s.target.service,
    s.shadow.candidate.baseUrl,
    String(s.shadow.sampleRate),
    s.policy.stages.map((x) => x.name).join(' → '),
    r.halted ? `halted: ${r.halted.reason}` : 'active',
    new Date(r.ts).toISOString(),
  ];
}

export function registerExperiment(program: Command, out: Output): void {
  const experiment = program.command('experiment').description('declare experiments: validated, then published to the compacted experiments topic that every service reads');

  experiment
    .command('apply')
    .description('validate an experiment (YAML or JSON) and publish it; applying it again replaces it (and lifts a halt)')
    .requiredOption('-f, --file <file>', 'the experiment file')
    .option('--json', 'print the published record as JSON')
    .action((opts: { file: string; json?: boolean }) =>
      withContext(async (ctx) => {
        const spec = loadExperiment(opts.file);
        const record: ExperimentRecord = { type: 'experiment.v1', id: randomUUID(), ts: Date.now(), experimentId: spec.id, actor: currentActor(), spec };
        const producer = await ctx.kafka().producer();
        try {
          await producer.send([encodeEvent(experimentRecordSchema, record, ctx.topics.experiments, spec.id)]);
        } finally {
          await producer.disconnect();
        }
        if (opts.json) return out.json(record);
        out.line(`applied ${spec.id} (policy ${policyHash(spec.policy).slice(0, 12)}, stages ${spec.policy.stages.map((s) => s.name).join(' → ')}) to ${ctx.topics.experiments}`);
        out.line(`follow it with: npx penumbra watch ${spec.id}`);
      }),
    );

  experiment
    .command('list')
    .description('every experiment on the experiments topic')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      withContext(async (ctx) => {
        const all = [...(await ctx.experiments()).values()].sort((a, b) => a.experimentId.localeCompare(b.experimentId));
        if (opts.json) return out.json(all);
        if (all.length === 0) return out.line(`no experiments on ${ctx.topics.experiments}; apply one with: npx penumbra experiment apply -f <file>`);
        out.table(['id', 'service', 'candidate', 'sample', 'stages', 'state', 'applied'], all.map(row));
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
    .description('delete an experiment (a tombstone on the compacted topic): every service stops working on it')
    .action((id: string) =>
      withContext(async (ctx) => {
        if ((await ctx.experiment(id)) === undefined) return out.fail(`no experiment ${id} on ${ctx.topics.experiments}`, 'list them with: npx penumbra experiment list');
        const producer = await ctx.kafka().producer();
        try {
          await producer.send([{ topic: ctx.topics.experiments, key: id, value: null }]);
        } finally {
          await producer.disconnect();
        }
        out.line(`deleted ${id}`);
      }),
    );
}
