import { createHash } from 'node:crypto';
import { type ExperimentSpec, type TrafficRecord } from '@penumbra/contracts';

type SamplingKey = ExperimentSpec['shadow']['samplingKey'];

/**
 * The value sampling hashes: an attribute, a header or the session, so a tenant or a user is in
 * or out as a whole. A record without that value falls back to its own id.
 */
export function samplingKeyOf(record: Pick<TrafficRecord, 'id' | 'attributes' | 'sessionKey' | 'request'>, key: SamplingKey): string {
  switch (key.source) {
    case 'traffic-id':
      return `id:${record.id}`;
    case 'session':
      return record.sessionKey ? `session:${record.sessionKey}` : `id:${record.id}`;
    case 'attribute': {
      const value = record.attributes[key.name];
      return value === undefined ? `id:${record.id}` : `attr:${value}`;
    }
    case 'header': {
      const value = record.request.headers[key.name];
      return value === undefined ? `id:${record.id}` : `header:${value}`;
    }
  }
}

/** A point in [0, 1) fixed by experiment and key: the same key always gets the same answer. */
export function samplingPoint(experimentId: string, key: string): number {
  const digest = createHash('sha256').update(experimentId).update('\0').update(key).digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000;
}

export function isSampled(experimentId: string, key: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return samplingPoint(experimentId, key) < rate;
}
