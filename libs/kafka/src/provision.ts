import { TOPIC_KEYS, TOPICS, type TopicKey, type TopicSpec, topicConfigEntries, topicName } from '@penumbra/contracts';
import { type AdminPort } from './ports';

/** The replication factor topics get on a cluster of at least this many brokers, unless told otherwise. */
export const CLUSTER_REPLICATION_FACTOR = 3;
/** With three replicas, a write waits for two: one broker may be down, none is lost. */
const CLUSTER_MIN_INSYNC_REPLICAS = '2';

export interface ProvisionOptions {
  prefix: string;
  /** Unset: 3 on a cluster of three or more brokers, else 1 (as many as there are). */
  replicationFactor?: number;
  /** Per-topic changes, for tests (fewer partitions, small segments) or a site's needs. */
  overrides?: Partial<Record<TopicKey, Partial<Pick<TopicSpec, 'partitions' | 'retentionMs'>> & { configs?: Record<string, string> }>>;
  only?: TopicKey[];
}

export interface ProvisionReport {
  created: string[];
  updated: Array<{ topic: string; changed: Record<string, { from: string | null; to: string }> }>;
  unchanged: string[];
  /** Differences provisioning will not fix by itself, such as a partition count (it would move keys). */
  warnings: string[];
}

export interface DesiredTopic {
  name: string;
  partitions: number;
  configs: Record<string, string>;
}

export function desiredTopics(options: ProvisionOptions): DesiredTopic[] {
  return (options.only ?? TOPIC_KEYS).map((key) => {
    const base = TOPICS[key];
    const o = options.overrides?.[key] ?? {};
    const spec: TopicSpec = {
      ...base,
      partitions: o.partitions ?? base.partitions,
      retentionMs: o.retentionMs ?? ('retentionMs' in base ? base.retentionMs : undefined),
      configs: { ...base.configs, ...o.configs },
    };
    return { name: topicName(options.prefix, key), partitions: spec.partitions, configs: topicConfigEntries(spec) };
  });
}

/** Creates every topic with its settings and repairs config drift. Running it again changes nothing. */
export async function provisionTopics(admin: AdminPort, options: ProvisionOptions): Promise<ProvisionReport> {
  const desired = desiredTopics(options);
  const existing = new Set(await admin.listTopics());
  const missing = desired.filter((t) => !existing.has(t.name));
  const report: ProvisionReport = { created: [], updated: [], unchanged: [], warnings: [] };
  if (missing.length > 0) {
    const replicationFactor = options.replicationFactor ?? Math.max(1, Math.min(CLUSTER_REPLICATION_FACTOR, await admin.brokerCount()));
    // Only on creation: a topic with fewer replicas than min.insync.replicas would refuse every acks=all write.
    const durability: Record<string, string> = replicationFactor >= CLUSTER_REPLICATION_FACTOR ? { 'min.insync.replicas': CLUSTER_MIN_INSYNC_REPLICAS } : {};
    await admin.createTopics(missing.map((t) => ({ topic: t.name, partitions: t.partitions, replicationFactor, configs: { ...durability, ...t.configs } })));
    report.created.push(...missing.map((t) => t.name));
  }
  const present = desired.filter((t) => existing.has(t.name));
  const described = await admin.describeTopics(present.map((t) => t.name));
  for (const want of present) {
    const have = described.find((d) => d.name === want.name);
    if (!have) continue;
    if (have.partitions !== want.partitions) {
      report.warnings.push(`${want.name} has ${have.partitions} partitions, the design wants ${want.partitions}; left as is, since changing it would move keys between partitions`);
    }
    const changed: Record<string, { from: string | null; to: string }> = {};
    for (const [name, value] of Object.entries(want.configs)) {
      if (have.configs[name] !== value) changed[name] = { from: have.configs[name] ?? null, to: value };
    }
    if (Object.keys(changed).length === 0) {
      report.unchanged.push(want.name);
      continue;
    }
    await admin.setTopicConfigs(want.name, { ...have.configs, ...want.configs });
    report.updated.push({ topic: want.name, changed });
  }
  return report;
}
