import { KAFKA_ADMIN_USER, KAFKA_PRINCIPALS, type AclNames, aclBindings, kafkaAclsArgs } from '@penumbra/config';

/** What `deploy/kafka-acls.sh` holds: one kafka-acls.sh call per rule of the principal table in @penumbra/config. */
export function renderAclScript(names: AclNames = {}): string {
  const lines = [
    '#!/bin/sh',
    '# Generated from KAFKA_PRINCIPALS in libs/config/src/kafka-acls.ts; do not edit. Regenerate (other prefixes too) with:',
    '#   node -r @swc-node/register deploy/kafka-acls.ts [--topic-prefix shadow.] [--group-prefix penumbra.] > deploy/kafka-acls.sh',
    '# Run with a super user, on a broker with an authorizer (StandardAuthorizer under KRaft):',
    '#   BOOTSTRAP=kafka:9092 ADMIN_CONFIG=admin.properties sh deploy/kafka-acls.sh',
    `# Principals: ${KAFKA_PRINCIPALS.map((p) => p.user).join(', ')}; create their SCRAM credentials first, for example:`,
    '#   kafka-configs.sh --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --alter --add-config \'SCRAM-SHA-512=[password=…]\' --entity-type users --entity-name comparator',
    `# ${KAFKA_ADMIN_USER} (the broker's super user) provisions topics and never runs a service.`,
    'set -eu',
    ': "${BOOTSTRAP:?set BOOTSTRAP to host:port}"',
    ': "${ADMIN_CONFIG:?set ADMIN_CONFIG to a client properties file of a super user}"',
    'KAFKA_ACLS="${KAFKA_ACLS:-kafka-acls.sh}"',
  ];
  let user = '';
  for (const b of aclBindings(names)) {
    if (b.principal !== user) {
      user = b.principal;
      const grant = KAFKA_PRINCIPALS.find((p) => `User:${p.user}` === user);
      lines.push('', `# ${user}: ${grant?.description ?? ''}`);
    }
    lines.push(`"$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" ${kafkaAclsArgs(b).join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The table as JSON, for the local secure broker (tools/kafka/local-kafka.mjs up --secure). */
export function aclPlan(names: AclNames = {}) {
  return { admin: KAFKA_ADMIN_USER, users: KAFKA_PRINCIPALS.map((p) => p.user), bindings: aclBindings(names) };
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const topicPrefix = flag(argv, '--topic-prefix');
  const groupPrefix = flag(argv, '--group-prefix');
  const names: AclNames = { ...(topicPrefix !== undefined ? { topicPrefix } : {}), ...(groupPrefix !== undefined ? { groupPrefix } : {}) };
  process.stdout.write(argv.includes('--json') ? `${JSON.stringify(aclPlan(names))}\n` : renderAclScript(names));
}
