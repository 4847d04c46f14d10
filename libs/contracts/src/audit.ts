import { z } from 'zod';
import { canonicalJson, sha256Hex } from './canonical-json';
import { epochMs } from './common';
import { signatureSchema } from './control';

export const GENESIS_HASH = '0'.repeat(64);
const hexDigest = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest');

/** Events that belong to no experiment (a dead letter without one, say) chain under this id. */
export const GLOBAL_AUDIT_STREAM = '_global';

export const auditRecordSchema = z.object({
  type: z.literal('audit.v1'),
  /** Unique key derived from the source event, so a redelivered event collapses into one record. */
  id: z.string().min(1).max(1024),
  ts: epochMs,
  experimentId: z.string().min(1).max(128),
  seq: z.number().int().positive(),
  source: z.object({ topic: z.string().min(1), partition: z.number().int().nonnegative(), offset: z.string().regex(/^\d+$/) }),
  eventType: z.string().min(1).max(100),
  actor: z.string().min(1).max(200),
  event: z.unknown(),
  prevHash: hexDigest,
  hash: hexDigest,
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** hash = sha256(prevHash + canonical JSON of the record without its hash). */
export function auditHash(record: Omit<AuditRecord, 'hash'>): string {
  const { prevHash } = record;
  return sha256Hex(prevHash + canonicalJson({ ...record, hash: undefined }));
}

/**
 * The audit-sink's signed statement of one chain's head: the chain of `experimentId` has reached
 * `seq`, whose record hashes to `hash`. Written on the audit topic under one compacted key per
 * experiment, on the experiment's partition, after the records it covers; `signature` is Ed25519
 * over the canonical JSON of the rest (signMessage), so a rewrite with recomputed hashes, a
 * truncated tail or a reordering shows against it.
 */
export const auditCheckpointSchema = z.object({
  type: z.literal('audit-checkpoint.v1'),
  id: z.string().min(1).max(1024),
  ts: epochMs,
  experimentId: z.string().min(1).max(128),
  seq: z.number().int().positive(),
  hash: hexDigest,
  signature: signatureSchema,
});
export type AuditCheckpoint = z.infer<typeof auditCheckpointSchema>;

/** The one compacted key of an experiment's checkpoint: compaction keeps its latest. */
export function auditCheckpointKey(experimentId: string): string {
  return `audit-checkpoint:${experimentId}`;
}
