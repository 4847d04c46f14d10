import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { type AuditRecord, type SigningKey, type TrustedKeys, auditCheckpointSchema, auditRecordSchema, signingKeyFromJson, verifyMessage } from '@penumbra/contracts';
import { ConfigError } from '@penumbra/errors';
import { type IncomingRecord, decodeRecord } from '@penumbra/kafka';
import { type RestoredHead } from './audit-index';

/** The audit-sink's checkpoint signing key. No key, no start: checkpoints are what make the audit prove itself. */
export function loadAuditSigningKey(file: string | undefined): { key: SigningKey; own: TrustedKeys } {
  if (file === undefined)
    throw new ConfigError('AUDIT_SIGNING_KEY_FILE is required: the audit-sink signs checkpoints of its chains (npx penumbra keys generate-audit writes a key pair)', {});
  let key: SigningKey;
  try {
    key = signingKeyFromJson(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new ConfigError(`AUDIT_SIGNING_KEY_FILE: ${file} holds no Ed25519 signing key: ${err instanceof Error ? err.message : String(err)}`, { path: file });
  }
  return { key, own: new Map([[key.keyId, createPublicKey(key.privateKey)]]) };
}

export type AuditLogEntry = { kind: 'record'; record: AuditRecord } | { kind: 'checkpoint'; experimentId: string; seq: number } | { kind: 'other' };

/**
 * One value of the audit topic: a record, a checkpoint this sink signed (one signed by another
 * key is not trusted to say what is checkpointed), or anything else.
 */
export function readAuditLogValue(value: Buffer | null, own: TrustedKeys): AuditLogEntry {
  if (value === null) return { kind: 'other' };
  const record = decodeRecord<AuditRecord>(value, auditRecordSchema);
  if (record.ok) return { kind: 'record', record: record.value };
  const checkpoint = decodeRecord(value, auditCheckpointSchema);
  if (checkpoint.ok && verifyMessage(checkpoint.value, own).ok) return { kind: 'checkpoint', experimentId: checkpoint.value.experimentId, seq: checkpoint.value.seq };
  return { kind: 'other' };
}

/** The heads (and checkpoints) of the wanted chains, from records read in offset order. */
export class HeadScan {
  readonly found = new Map<string, RestoredHead>();

  constructor(
    private readonly wanted: ReadonlySet<string>,
    private readonly own: TrustedKeys,
  ) {}

  add(records: IncomingRecord[]): void {
    for (const r of records) {
      const entry = readAuditLogValue(r.value, this.own);
      if (entry.kind === 'other') continue;
      const id = entry.kind === 'record' ? entry.record.experimentId : entry.experimentId;
      if (!this.wanted.has(id)) continue;
      const seen = this.found.get(id);
      if (entry.kind === 'record') {
        if (!seen) this.found.set(id, { head: { seq: entry.record.seq, hash: entry.record.hash }, checkpointed: 0 });
        else if (entry.record.seq > seen.head.seq) seen.head = { seq: entry.record.seq, hash: entry.record.hash };
      } else if (seen) seen.checkpointed = Math.max(seen.checkpointed, entry.seq);
    }
  }
}
