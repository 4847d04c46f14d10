// The secure variant of the local broker (`local-kafka.mjs up --secure`): a SASL_PLAINTEXT listener with
// SCRAM-SHA-512, the StandardAuthorizer, one SCRAM user per principal of the project's ACL table
// (libs/config/src/kafka-acls.ts, rendered by deploy/kafka-acls.ts) and its ACLs applied.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MECHANISM = 'SCRAM-SHA-512';

/** The principals and rules of the ACL table for the given prefixes, as deploy/kafka-acls.ts renders them. */
export function aclPlan(repoRoot, names) {
  const args = ['-r', '@swc-node/register', join(repoRoot, 'deploy', 'kafka-acls.ts'), '--json', '--topic-prefix', names.topicPrefix, '--group-prefix', names.groupPrefix];
  const res = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, SWC_NODE_PROJECT: join(repoRoot, 'tsconfig.base.json') } });
  if (res.status !== 0) throw new Error(`rendering the ACL table failed:\n${res.stderr}`);
  const plan = JSON.parse(res.stdout);
  if (typeof plan.admin !== 'string' || !Array.isArray(plan.users) || !Array.isArray(plan.bindings)) throw new Error('the ACL table rendered an unexpected shape');
  return plan;
}

const secret = () => randomBytes(24).toString('hex');

/**
 * The passwords of the admin and of every principal (plus extra users without ACLs), generated once
 * and kept with the broker's state, readable by the owner only.
 */
export function ensureCredentials(file, plan, extraUsers, brokers) {
  const wanted = [...plan.users, ...extraUsers];
  if (existsSync(file)) {
    const known = JSON.parse(readFileSync(file, 'utf8'));
    const missing = wanted.filter((u) => !(u in known.users));
    if (missing.length === 0) return { ...known, brokers };
    throw new Error(`the secure broker's storage was formatted without the user(s) ${missing.join(', ')}; stop it and remove ${join(file, '..')} to format again`);
  }
  const credentials = {
    mechanism: MECHANISM.toLowerCase(),
    brokers,
    admin: { username: plan.admin, password: secret() },
    users: Object.fromEntries(wanted.map((u) => [u, secret()])),
  };
  writeFileSync(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  return credentials;
}

/** server.properties entries that replace the PLAINTEXT listener. */
export function secureProps(port, controllerPort, credentials) {
  const { username, password } = credentials.admin;
  return {
    listeners: `SASL_PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `SASL_PLAINTEXT://127.0.0.1:${port}`,
    'inter.broker.listener.name': 'SASL_PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
    'sasl.enabled.mechanisms': MECHANISM,
    'sasl.mechanism.inter.broker.protocol': MECHANISM,
    [`listener.name.sasl_plaintext.${MECHANISM.toLowerCase()}.sasl.jaas.config`]: `org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`,
    // SCRAM credentials live in the metadata the controller serves, so the controller listener itself uses PLAIN.
    'sasl.mechanism.controller.protocol': 'PLAIN',
    'listener.name.controller.sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.controller.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="${username}" password="${password}" user_${username}="${password}";`,
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': `User:${username}`,
    'allow.everyone.if.no.acl.found': 'false',
  };
}

/** StorageTool arguments that create every SCRAM user when the storage is formatted. */
export function scramFormatArgs(credentials) {
  const all = [[credentials.admin.username, credentials.admin.password], ...Object.entries(credentials.users)];
  return all.flatMap(([name, password]) => ['--add-scram', `${MECHANISM}=[name=${name},password=${password}]`]);
}

/** Creates the table's ALLOW rules through the Admin API as the super user (creating an existing rule changes nothing). */
export async function applyAcls(brokers, credentials, bindings) {
  const { Kafka, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes, logLevel } = (await import('kafkajs')).default;
  const resource = { topic: AclResourceTypes.TOPIC, group: AclResourceTypes.GROUP, 'transactional-id': AclResourceTypes.TRANSACTIONAL_ID, cluster: AclResourceTypes.CLUSTER };
  const operation = { read: AclOperationTypes.READ, write: AclOperationTypes.WRITE, describe: AclOperationTypes.DESCRIBE, 'idempotent-write': AclOperationTypes.IDEMPOTENT_WRITE };
  const pattern = { literal: ResourcePatternTypes.LITERAL, prefixed: ResourcePatternTypes.PREFIXED };
  const kafka = new Kafka({
    clientId: 'penumbra-local-acls',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    sasl: { mechanism: MECHANISM.toLowerCase(), username: credentials.admin.username, password: credentials.admin.password },
    retry: { retries: 10 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const acl = bindings.map((b) => ({
      resourceType: resource[b.resourceType],
      resourceName: b.name,
      resourcePatternType: pattern[b.pattern],
      principal: b.principal,
      host: '*',
      operation: operation[b.operation],
      permissionType: AclPermissionTypes.ALLOW,
    }));
    if (acl.some((a) => a.resourceType === undefined || a.operation === undefined || a.resourcePatternType === undefined))
      throw new Error('the ACL table holds a rule this script cannot express');
    await admin.createAcls({ acl });
  } finally {
    await admin.disconnect();
  }
}
