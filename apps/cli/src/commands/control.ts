import { randomUUID } from 'node:crypto';
import { type Command } from 'commander';
import { type ControlAction, alertSchema, controlRequestSchema } from '@penumbra/contracts';
import { decodeRecord, encodeEvent } from '@penumbra/kafka';
import { signControlRequest } from '@penumbra/policy-core';
import { SentinelStateStore } from '@penumbra/sentinel-state';
import { type CliContext, withContext } from '../cli-context';
import { operatorSigner } from '../operator-key';
import { type Output } from '../output';

const ACTIONS: Array<{ action: ControlAction; help: string }> = [
  { action: 'promote', help: 'promote to the next stage now, whatever the gates say' },
  { action: 'rollback', help: 'roll back now' },
  { action: 'pause', help: 'stop deciding until resumed' },
  { action: 'resume', help: 'decide again after a pause (the bake time starts over)' },
  { action: 'kill', help: 'the kill switch: roll every slice back at once and stop mirroring' },
  { action: 'approve', help: "record your approval of the current stage (needs one of the stage's roles)" },
];

/** Waits until the sentinel has handled the request, then tells whether it was rejected and why. */
async function outcome(ctx: CliContext, experimentId: string, requestId: string, timeoutMs: number): Promise<{ handled: boolean; rejection?: string }> {
  const store = new SentinelStateStore(await ctx.redis(), ctx.env.REDIS_KEY_PREFIX);
  const deadline = Date.now() + timeoutMs;
  while (!(await store.seen(requestId))) {
    if (Date.now() > deadline) return { handled: false };
    await new Promise((r) => setTimeout(r, 500));
  }
  let rejection: string | undefined;
  await ctx.log().readToEnd({
    topic: ctx.topics.alerts,
    timeoutMs: 30_000,
    onRecords: (records) => {
      for (const r of records) {
        const a = decodeRecord(r.value, alertSchema);
        if (a.ok && a.value.kind === 'control-rejected' && a.value.experimentId === experimentId && a.value.details['requestId'] === requestId) rejection = a.value.message;
      }
    },
  });
  return { handled: true, ...(rejection === undefined ? {} : { rejection }) };
}

export function registerControl(program: Command, out: Output): void {
  for (const { action, help } of ACTIONS) {
    program
      .command(`${action} <experiment>`)
      .description(`${help}: a control request signed with your operator key`)
      .requiredOption('--reason <text>', 'why: recorded with the request and in the audit')
      .option('--slice <slice>', 'one slice, such as tenant=acme (default: every slice)')
      .option('--role <role>', 'act in this one of your roles')
      .option('--no-wait', 'publish and return without waiting for the sentinel')
      .action((experimentId: string, opts: { reason: string; slice?: string; role?: string; wait: boolean }) =>
        withContext(async (ctx) => {
          const key = operatorSigner();
          const request = signControlRequest(
            controlRequestSchema.parse({
              type: 'control.v1',
              id: randomUUID(),
              ts: Date.now(),
              experimentId,
              action,
              reason: opts.reason,
              actor: key.operator,
              ...(opts.slice ? { slice: opts.slice } : {}),
              ...(opts.role ? { role: opts.role } : {}),
            }),
            key,
          );
          const producer = await ctx.kafka().producer();
          try {
            await producer.send([encodeEvent(controlRequestSchema, request, ctx.topics.control, experimentId)]);
          } finally {
            await producer.disconnect();
          }
          out.line(`${action} request ${request.id} for ${experimentId}${opts.slice ? ` [${opts.slice}]` : ''} sent as ${key.operator}`);
          if (!opts.wait) return;
          const result = await outcome(ctx, experimentId, request.id, 30_000);
          if (!result.handled) return out.fail('the sentinel has not handled it within 30 s', 'is the sentinel running? (penumbra fleet status)');
          if (result.rejection !== undefined) return out.fail(result.rejection);
          out.line(`accepted; follow it with: npx penumbra status ${experimentId}`);
        }),
      );
  }
}
