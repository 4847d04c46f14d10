import { type TopicKey, commandId } from '@penumbra/contracts';

/** The topics the fleet consumes and the suite attacks; `goreplay` is the mirror's optional GoReplay input. */
export const ATTACKED = ['traffic', 'goreplay', 'experiments', 'pairs', 'diffs', 'metrics', 'aggregates', 'control', 'commands', 'acks', 'alerts'] as const;
export type Attacked = (typeof ATTACKED)[number];
export type TopicOf = (key: Attacked) => string;

/** Topics whose valid records the suite copies from what the fleet itself produced (a redelivered duplicate). */
export const COPIED: ReadonlySet<Attacked> = new Set(['traffic', 'pairs', 'diffs', 'aggregates']);

export const isContractTopic = (key: Attacked): key is Attacked & TopicKey => key !== 'goreplay';

export interface RecordContext {
  /** The experiment the probes and the schema-valid hostile records belong to, apart from the judged one. */
  probeExperiment: string;
  /** The service the probe experiment targets. */
  probeService: string;
  now: number;
  /** The latest record the fleet produced on a copied topic, as JSON. */
  copied: Partial<Record<Attacked, Record<string, unknown>>>;
}

/**
 * A schema-valid record of the topic's kind, as plain JSON, with the given id. Records copied from
 * the fleet's own output are moved to the probe experiment when `moved`, so that the judged
 * experiment's counts see only its own traffic (a copy kept as is is an exact duplicate).
 */
export function validRecord(key: Attacked, id: string, c: RecordContext, moved: boolean): Record<string, unknown> {
  const ts = c.now;
  const experimentId = c.probeExperiment;
  switch (key) {
    case 'traffic':
    case 'pairs':
    case 'diffs':
    case 'aggregates': {
      const base = c.copied[key];
      if (!base) throw new Error(`no ${key} record to copy yet`);
      if (!moved) return { ...base };
      if (key === 'traffic') return { ...base, id, service: c.probeService };
      if (key === 'pairs') return { ...base, id: `${experimentId}:${id}`, trafficId: id, experimentId };
      if (key === 'diffs') return { ...base, id: `${experimentId}:${id}`, experimentId };
      return { ...base, id, experimentId };
    }
    case 'goreplay':
      return { Req_URL: '/probe', Req_Type: '1', Req_ID: id, Req_Ts: `${ts}000000`, Req_Method: 'GET', Req_Body: '', Req_Headers: { Host: 'probe' } };
    case 'experiments':
      return { type: 'experiment.v1', id, ts, experimentId, actor: 'chaos', spec: c.copied.experiments?.['spec'] };
    case 'metrics':
      return { type: 'metric.v1', id, ts, experimentId, name: 'chaos_probe', value: 1 };
    case 'control':
      return { type: 'control.v1', id, ts, experimentId, action: 'pause', reason: 'chaos probe (unsigned: the sentinel must refuse it)', actor: 'chaos' };
    case 'commands': {
      const stateVersion = 1_000_000 + (ts % 1_000_000);
      return {
        type: 'command.v1',
        id: commandId({ experimentId, fromStage: 'shadow', toStage: 'shadow', stateVersion }),
        ts,
        experimentId,
        action: 'pause',
        fromStage: 'shadow',
        toStage: 'shadow',
        stateVersion,
        targetWeight: 0,
        reason: `chaos probe ${id} (unsigned: followers must ignore it)`,
        actor: { kind: 'operator', name: 'chaos' },
        evidence: { policyHash: '0'.repeat(64), samples: 0 },
      };
    }
    case 'acks':
      return { type: 'ack.v1', id, ts, experimentId, commandId: `${experimentId}:*:shadow->shadow:v1`, appliedBy: 'chaos', result: 'skipped', reason: 'chaos probe' };
    case 'alerts':
      return { type: 'alert.v1', id, ts, experimentId, severity: 'info', kind: 'other', source: 'chaos', message: `chaos probe ${id}` };
  }
}

/**
 * The original response half of a GoReplay exchange: a request half alone is rightly dead-lettered when its
 * join window ends, so a GoReplay probe is a request followed by this.
 */
export function goReplayResponse(id: string, c: RecordContext): Record<string, unknown> {
  return { Req_URL: '200', Req_Type: '2', Req_ID: id, Req_Ts: `${c.now + 1}000000`, Req_Method: 'HTTP/1.1', Req_Body: '', Req_Headers: { 'Content-Length': '0' } };
}
