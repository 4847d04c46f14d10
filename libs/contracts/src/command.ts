import { z } from 'zod';
import { signatureSchema } from './control';
import { epochMs, eventId, experimentId } from './common';

export const commandAction = z.enum(['promote', 'rollback', 'pause', 'resume', 'kill']);
export type CommandAction = z.infer<typeof commandAction>;

export const gateVerdict = z.enum(['pass', 'fail', 'need-more-data']);
export type GateVerdict = z.infer<typeof gateVerdict>;

export const gateEvidenceSchema = z.object({
  gate: z.string().min(1).max(500),
  kind: z.enum(['promotion', 'rollback']),
  metric: z.string().min(1).max(200),
  op: z.string().min(1).max(2),
  threshold: z.number(),
  value: z.number().nullable(),
  /** The confidence bound the verdict was judged on, when the gate has a confidence. */
  bound: z.number().nullable().default(null),
  /** The gate's confidence level; null when its point estimate is judged. */
  confidence: z.number().gt(0).lt(1).nullable().default(null),
  /** The samples the verdict was judged on: the rate's trials, else the stage's samples. */
  samples: z.number().int().nonnegative().optional(),
  /**
   * For a promotion gate: pass = the condition holds, fail = it does not. For a rollback trigger:
   * fail = the trigger fired (its condition holds), pass = it did not.
   */
  verdict: gateVerdict,
  neededSamples: z.number().int().nonnegative().optional(),
});
export type GateEvidence = z.infer<typeof gateEvidenceSchema>;

export const evidenceSchema = z.object({
  policyHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest'),
  samples: z.number().int().nonnegative(),
  bakedMs: z.number().int().nonnegative().default(0),
  /** The stage's criteria the decision was held to (after any tightening by earlier rollbacks). */
  minSamples: z.number().int().nonnegative().optional(),
  bakeMs: z.number().int().nonnegative().optional(),
  metrics: z.record(z.string(), z.number().nullable()).default({}),
  gates: z.array(gateEvidenceSchema).default([]),
  window: z.object({ start: epochMs, end: epochMs }).optional(),
});
export type Evidence = z.infer<typeof evidenceSchema>;

export function commandId(parts: { experimentId: string; slice?: string | undefined; fromStage: string; toStage: string; stateVersion: number }): string {
  return `${parts.experimentId}:${parts.slice ?? '*'}:${parts.fromStage}->${parts.toStage}:v${parts.stateVersion}`;
}

export const commandSchema = z
  .object({
    type: z.literal('command.v1'),
    id: z.string().min(1).max(1024),
    ts: epochMs,
    experimentId,
    slice: z.string().min(1).max(1024).optional(),
    action: commandAction,
    fromStage: z.string().min(1).max(100),
    toStage: z.string().min(1).max(100),
    stateVersion: z.number().int().nonnegative(),
    targetWeight: z.number().min(0).max(100),
    dryRun: z.boolean().default(false),
    reason: z.string().min(1).max(2000),
    actor: z.object({ kind: z.enum(['sentinel', 'operator']), name: z.string().min(1).max(200) }),
    evidence: evidenceSchema,
    /** The sentinel's Ed25519 signature; followers, recovery and the audit refuse a command without a valid one. */
    signature: signatureSchema.optional(),
  })
  .refine((c) => c.id === commandId(c), { path: ['id'], message: 'must be "<experiment>:<slice|*>:<from>-><to>:v<stateVersion>" (deterministic)' });
export type Command = z.infer<typeof commandSchema>;

export const ackSchema = z.object({
  type: z.literal('ack.v1'),
  id: eventId,
  ts: epochMs,
  experimentId,
  commandId: z.string().min(1).max(1024),
  appliedBy: z.string().min(1).max(200),
  result: z.enum(['applied', 'failed', 'skipped']),
  reason: z.string().max(2000).optional(),
  /** The applier's Ed25519 signature: only a signed ack clears the sentinel's deadline for its command. */
  signature: signatureSchema.optional(),
});
export type Ack = z.infer<typeof ackSchema>;
