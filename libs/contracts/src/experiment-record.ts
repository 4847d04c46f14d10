import { z } from 'zod';
import { epochMs, eventId, experimentId } from './common';
import { signatureSchema } from './control';
import { experimentSpecSchema } from './experiment-spec';

/**
 * The value on the compacted experiments topic, keyed by experiment id. A null value
 * (tombstone) deletes the experiment.
 */
export const experimentRecordSchema = z
  .object({
    type: z.literal('experiment.v1'),
    id: eventId,
    ts: epochMs,
    experimentId,
    actor: z.string().min(1).max(200),
    spec: experimentSpecSchema,
    /** Set by the sentinel on a kill or a stop-mirroring rollback: every service stops working on it. */
    halted: z.object({ at: epochMs, reason: z.string().min(1).max(2000), commandId: z.string().min(1).max(1024) }).optional(),
    /** The operator's Ed25519 signature; optional here so that readers, not the parser, refuse an unsigned record and audit it. */
    signature: signatureSchema.optional(),
  })
  .refine((r) => r.spec.id === r.experimentId, { path: ['spec', 'id'], message: 'must equal experimentId' });
export type ExperimentRecord = z.infer<typeof experimentRecordSchema>;
