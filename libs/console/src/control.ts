import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Command, type ControlRequest, alertSchema, commandSchema, controlAction, controlRequestSchema } from '@penumbra/contracts';
import { decodeRecord, encodeEvent, type ProducerPort } from '@penumbra/kafka';
import { SentinelStateStore } from '@penumbra/sentinel-state';
import { type ConsoleSources } from './console-sources';
import { type OperatorSigner } from './operator-signing';

/** What the browser posts; the actor is the logged-in user's operator, never taken from the body. */
export const controlFormSchema = z.object({
  action: controlAction,
  reason: z.string().trim().min(1, 'a reason is required: say why').max(2000),
  slice: z.string().trim().min(1).max(1024).optional(),
  role: z.string().trim().min(1).max(100).optional(),
});
export type ControlForm = z.infer<typeof controlFormSchema>;

export type ControlAnswer =
  | { outcome: 'accepted'; requestId: string; operator: string; command: { id: string; action: string; from: string; to: string; reason: string } | null }
  | { outcome: 'rejected'; requestId: string; operator: string; reason: string }
  | { outcome: 'unanswered'; requestId: string; operator: string; reason: string };

export interface ControlDeps {
  sources: ConsoleSources;
  producer: () => Promise<ProducerPort>;
  signer: OperatorSigner | undefined;
  waitMs: number;
  pollMs?: number;
}

export function buildRequest(experimentId: string, operator: string, form: ControlForm, now: number): Omit<ControlRequest, 'signature'> {
  return {
    type: 'control.v1',
    id: randomUUID(),
    ts: now,
    experimentId,
    action: form.action,
    reason: form.reason,
    actor: operator,
    ...(form.slice ? { slice: form.slice } : {}),
    ...(form.role ? { role: form.role } : {}),
  };
}

async function rejectionOf(src: ConsoleSources, request: ControlRequest): Promise<string | undefined> {
  let rejection: string | undefined;
  await src.log.readToEnd({
    topic: src.topics.alerts,
    timeoutMs: 20_000,
    onRecords: (records) => {
      for (const r of records) {
        const a = decodeRecord(r.value, alertSchema);
        if (a.ok && a.value.kind === 'control-rejected' && a.value.experimentId === request.experimentId && a.value.details['requestId'] === request.id)
          rejection = a.value.message;
      }
    },
  });
  return rejection;
}

async function commandOf(src: ConsoleSources, request: ControlRequest): Promise<Command | undefined> {
  let command: Command | undefined;
  await src.log.readToEnd({
    topic: src.topics.commands,
    timeoutMs: 20_000,
    onRecords: (records) => {
      for (const r of records) {
        const c = decodeRecord(r.value, commandSchema);
        const v = c.ok ? c.value : undefined;
        if (v && v.experimentId === request.experimentId && v.action === request.action && v.actor.kind === 'operator' && v.actor.name === request.actor && v.ts >= request.ts)
          command = v;
      }
    },
  });
  return command;
}

/** Signs and publishes a control request as the operator, then waits (bounded) for the sentinel's answer. */
export async function sendControl(deps: ControlDeps, experimentId: string, operator: string, form: ControlForm): Promise<ControlAnswer> {
  const unsigned = buildRequest(experimentId, operator, form, Date.now());
  const signed = deps.signer?.sign(unsigned);
  if (signed === undefined)
    return { outcome: 'rejected', requestId: unsigned.id, operator, reason: `this console holds no operator key for ${operator} (PENUMBRA_OPERATOR_KEY_FILE)` };
  const request = controlRequestSchema.parse(signed);
  const producer = await deps.producer();
  await producer.send([encodeEvent(controlRequestSchema, request, deps.sources.topics.control, experimentId)]);
  const store = new SentinelStateStore(deps.sources.redis, deps.sources.keyPrefix);
  const deadline = Date.now() + deps.waitMs;
  // A request refused before authentication is never marked seen: its rejection alert is the answer.
  for (let round = 1; !(await store.seen(request.id)); round += 1) {
    if (round % 8 === 0) {
      const early = await rejectionOf(deps.sources, request);
      if (early !== undefined) return { outcome: 'rejected', requestId: request.id, operator, reason: early };
    }
    if (Date.now() > deadline)
      return { outcome: 'unanswered', requestId: request.id, operator, reason: `the sentinel has not handled it within ${Math.round(deps.waitMs / 1000)} s` };
    await new Promise((r) => setTimeout(r, deps.pollMs ?? 250));
  }
  const rejection = await rejectionOf(deps.sources, request);
  if (rejection !== undefined) return { outcome: 'rejected', requestId: request.id, operator, reason: rejection };
  // The command follows the state change through the sentinel's outbox: give it a few bounded looks.
  let c = await commandOf(deps.sources, request);
  for (let look = 1; c === undefined && request.action !== 'approve' && look < 6; look += 1) {
    await new Promise((r) => setTimeout(r, 500));
    c = await commandOf(deps.sources, request);
  }
  return { outcome: 'accepted', requestId: request.id, operator, command: c ? { id: c.id, action: c.action, from: c.fromStage, to: c.toStage, reason: c.reason } : null };
}
