import { DEFAULT_TOPIC_PREFIX, type TopicKey, topicName } from '@penumbra/contracts';

/**
 * One Kafka principal per service or role, with exactly the topics it reads and writes, the consumer
 * groups it joins and the transactional ids it uses. The deploy files (`deploy/kafka/`) and the local
 * secure broker (`stack up --secure`) are both rendered from this table.
 */
export interface PrincipalGrant {
  /** The SCRAM user name, and the principal `User:<name>`. */
  user: string;
  description: string;
  read: readonly TopicKey[];
  write: readonly TopicKey[];
  /** Consumer-group name prefixes; `{group}` stands for KAFKA_GROUP_PREFIX. */
  groups: readonly string[];
  /** Transactional-id prefixes (audit-sink's AUDIT_TRANSACTIONAL_ID must start with one). */
  transactionalIds: readonly string[];
}

export const KAFKA_PRINCIPALS = [
  {
    user: 'traffic-mirror',
    description: 'replays captured traffic to candidates and emits pairs; saves the requests of regressions to the corpus',
    read: ['traffic', 'experiments', 'aggregates', 'commands', 'corpus'],
    write: ['pairs', 'metrics', 'dlq', 'alerts', 'corpus'],
    groups: ['{group}traffic-mirror', 'penumbra-traffic-mirror-corpus-reader-'],
    transactionalIds: [],
  },
  {
    user: 'comparator',
    description: 'turns pairs into diff events',
    read: ['pairs', 'experiments'],
    write: ['diffs', 'dlq', 'alerts'],
    groups: ['{group}comparator'],
    transactionalIds: [],
  },
  {
    user: 'aggregator',
    description: 'rolls diffs and metrics into windows and publishes aggregate snapshots',
    read: ['diffs', 'metrics', 'experiments'],
    write: ['aggregates', 'dlq', 'alerts'],
    groups: ['{group}aggregator'],
    transactionalIds: [],
  },
  {
    user: 'sentinel',
    description: 'judges aggregates and operator requests, emits commands and alerts, halts experiments',
    read: ['aggregates', 'acks', 'control', 'experiments'],
    write: ['commands', 'experiments', 'dlq', 'alerts'],
    groups: ['{group}sentinel'],
    transactionalIds: [],
  },
  {
    user: 'audit-sink',
    description: 'writes every control-plane event to the hash-chained audit topic in transactions',
    read: ['experiments', 'control', 'commands', 'acks', 'alerts', 'dlq', 'audit'],
    write: ['audit'],
    groups: ['{group}audit-sink', 'penumbra-audit-sink-reader-'],
    transactionalIds: ['penumbra-audit-sink'],
  },
  {
    user: 'console',
    description: 'the web console: reads experiments, snapshots, commands, alerts and the audit, and sends signed control requests; dead-letters what it cannot read',
    read: ['experiments', 'aggregates', 'commands', 'alerts', 'audit'],
    write: ['control', 'dlq', 'alerts'],
    groups: ['{group}console', 'penumbra-console-reader-'],
    transactionalIds: [],
  },
  {
    user: 'operator',
    description:
      'the CLI: applies experiments, sends control requests, reads history and alerts, rebuilds aggregates (under the aggregator group), replays retained traffic (under its own replay group, writing replayed pairs and their dead letters), lists, prunes and replays the regression corpus',
    read: ['experiments', 'alerts', 'audit', 'diffs', 'metrics', 'traffic', 'corpus'],
    write: ['experiments', 'control', 'pairs', 'dlq', 'corpus'],
    groups: ['penumbra-cli-reader-', '{group}aggregator', 'penumbra.replay.'],
    transactionalIds: [],
  },
  {
    user: 'capture',
    description: 'capture proxies, middleware and GoReplay: publish production traffic',
    read: [],
    write: ['traffic'],
    groups: [],
    transactionalIds: [],
  },
  {
    user: 'actuator',
    description: 'command appliers (the SDK): follow commands and acknowledge them',
    read: ['commands'],
    write: ['acks'],
    groups: ['{group}sdk.'],
    transactionalIds: [],
  },
  {
    user: 'metrics-source',
    description: 'external systems publishing domain metrics',
    read: [],
    write: ['metrics'],
    groups: [],
    transactionalIds: [],
  },
  {
    user: 'reader',
    description: 'dashboards and consoles: read everything but raw traffic, write nothing',
    read: ['experiments', 'pairs', 'diffs', 'metrics', 'aggregates', 'control', 'commands', 'alerts', 'acks', 'audit', 'dlq'],
    write: [],
    groups: ['penumbra-cli-reader-'],
    transactionalIds: [],
  },
] as const satisfies readonly PrincipalGrant[];

export type KafkaPrincipal = (typeof KAFKA_PRINCIPALS)[number]['user'];

/** The broker's own and the provisioning user: a super user, never given to a service. */
export const KAFKA_ADMIN_USER = 'penumbra-admin';

export type AclResourceType = 'topic' | 'group' | 'transactional-id' | 'cluster';
export type AclOperation = 'read' | 'write' | 'describe' | 'idempotent-write';

/** One ALLOW rule, in the vocabulary of kafka-acls.sh and the Admin API. */
export interface AclBinding {
  principal: string;
  resourceType: AclResourceType;
  /** `kafka-cluster` for the cluster. */
  name: string;
  pattern: 'literal' | 'prefixed';
  operation: AclOperation;
}

export interface AclNames {
  topicPrefix?: string;
  groupPrefix?: string;
}

/** Every ALLOW rule for the table under the given topic and group prefixes. */
export function aclBindings(names: AclNames = {}, principals: readonly PrincipalGrant[] = KAFKA_PRINCIPALS): AclBinding[] {
  const topicPrefix = names.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
  const groupPrefix = names.groupPrefix ?? 'penumbra.';
  const out: AclBinding[] = [];
  for (const p of principals) {
    const principal = `User:${p.user}`;
    const topic = (key: TopicKey, operation: AclOperation) => out.push({ principal, resourceType: 'topic', name: topicName(topicPrefix, key), pattern: 'literal', operation });
    for (const key of p.read) topic(key, 'read');
    for (const key of p.write) topic(key, 'write');
    for (const g of p.groups) out.push({ principal, resourceType: 'group', name: g.replace('{group}', groupPrefix), pattern: 'prefixed', operation: 'read' });
    for (const t of p.transactionalIds) {
      for (const operation of ['write', 'describe'] as const) out.push({ principal, resourceType: 'transactional-id', name: t, pattern: 'prefixed', operation });
    }
    // Every producer of the project is idempotent.
    if (p.write.length > 0) out.push({ principal, resourceType: 'cluster', name: 'kafka-cluster', pattern: 'literal', operation: 'idempotent-write' });
  }
  return out;
}

const CLI_RESOURCE: Record<AclResourceType, string> = { topic: '--topic', group: '--group', 'transactional-id': '--transactional-id', cluster: '--cluster' };
const CLI_OPERATION: Record<AclOperation, string> = { read: 'Read', write: 'Write', describe: 'Describe', 'idempotent-write': 'IdempotentWrite' };

/** The kafka-acls.sh arguments that create one rule (after --bootstrap-server and --command-config). */
export function kafkaAclsArgs(b: AclBinding): string[] {
  const resource = b.resourceType === 'cluster' ? [CLI_RESOURCE.cluster] : [CLI_RESOURCE[b.resourceType], b.name, '--resource-pattern-type', b.pattern];
  return ['--add', '--allow-principal', b.principal, '--operation', CLI_OPERATION[b.operation], ...resource];
}
