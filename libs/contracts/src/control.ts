import { z } from 'zod';
import { epochMs, eventId, experimentId } from './common';

export const controlAction = z.enum(['promote', 'rollback', 'pause', 'resume', 'kill', 'approve']);
export type ControlAction = z.infer<typeof controlAction>;

export const signatureSchema = z.object({
  keyId: z.string().min(1).max(200),
  alg: z.enum(['ed25519', 'hmac-sha256']),
  /** base64 signature over the canonical JSON of the request without its signature. */
  value: z.string().min(1).max(1024),
});
export type Signature = z.infer<typeof signatureSchema>;

/**
 * An operator's request. The signature is optional in the schema on purpose: the sentinel,
 * not the parser, rejects an unsigned or badly signed request, so that the rejection is audited.
 */
export const controlRequestSchema = z.object({
  type: z.literal('control.v1'),
  id: eventId,
  ts: epochMs,
  experimentId,
  action: controlAction,
  slice: z.string().min(1).max(1024).optional(),
  reason: z.string().min(1, 'a reason is required: say why').max(2000),
  actor: z.string().min(1).max(200),
  role: z.string().min(1).max(100).optional(),
  signature: signatureSchema.optional(),
});
export type ControlRequest = z.infer<typeof controlRequestSchema>;
