import { waitFor } from '@penumbra/testing';
import { type ChaosStack } from './chaos-stack';
import { type FaultOutcome } from './faults';
import { type CaseResult } from './ledger';
import { type Attacked } from './records';

export interface ChaosResult {
  experimentId: string;
  topicPrefix: string;
  keyPrefix: string;
  faults: FaultOutcome[];
  cases: CaseResult[];
  decision: string;
  expectedDecision: string;
  /** Captured production requests of the judged experiment's service, and how many of them became a pair. */
  coverage: { captured: number; mirrored: number; skipped?: Record<string, number> };
  /** The aggregator's pair count for the judged experiment against the distinct pair ids on the pairs topic. */
  aggregates: { counted: number; distinctPairs: number };
  audit: { ok: boolean; detail: string };
  fleet: { ready: boolean; detail: string };
  /** Consumer groups that had not committed everything when the suite stopped waiting. */
  lagging: string[];
  seconds: number;
}

/** The consumer groups that read each attacked topic, by the suffix after the group prefix ('@aggregator' is the aggregator's current group). */
export const CONSUMERS: Record<Attacked, string[]> = {
  traffic: ['traffic-mirror'],
  goreplay: ['traffic-mirror-goreplay'],
  experiments: ['audit-sink'],
  pairs: ['comparator'],
  diffs: ['@aggregator'],
  metrics: ['@aggregator'],
  aggregates: ['sentinel'],
  control: ['sentinel-control', 'audit-sink'],
  commands: ['audit-sink'],
  acks: ['sentinel', 'audit-sink'],
  alerts: ['audit-sink'],
};

export interface GroupOffsets {
  committed: Map<string, Map<number, bigint>>;
  /** Set when a group had not committed up to the end of the topic in time. */
  behind?: string;
}

/** The aggregator names its group in Redis (a rebuild starts a new one), so it is looked up there. */
export function consumingGroups(s: ChaosStack, aggregatorGroup: string | null): (suffix: string) => string {
  return (suffix) => (suffix === '@aggregator' ? (aggregatorGroup ?? `${s.groupPrefix}aggregator`) : `${s.groupPrefix}${suffix}`);
}

/** Waits until every group reading the topic has committed up to its end, and returns what each committed. */
export async function committedOffsets(s: ChaosStack, topic: Attacked, group: (suffix: string) => string, timeoutMs: number): Promise<GroupOffsets> {
  const name = s.topicOf(topic);
  const groups = CONSUMERS[topic].map(group);
  const committed = new Map<string, Map<number, bigint>>();
  let behind = '';
  const caughtUp = async () => {
    const ends = await s.tk.admin.topicOffsets(name);
    const lag: string[] = [];
    for (const g of groups) {
      const at = new Map((await s.tk.admin.groupOffsets(g, name)).map((o) => [o.partition, BigInt(o.offset)]));
      committed.set(g, at);
      for (const p of ends) if (BigInt(p.high) > BigInt(p.low) && (at.get(p.partition) ?? -1n) < BigInt(p.high)) lag.push(`${g} at ${at.get(p.partition) ?? -1n} of ${p.high}`);
    }
    behind = lag.join(', ');
    return lag.length === 0;
  };
  try {
    await waitFor(caughtUp, { timeoutMs, intervalMs: 500, what: () => `${name} consumed (${behind})` });
    return { committed };
  } catch {
    return { committed, behind };
  }
}
