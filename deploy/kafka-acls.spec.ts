import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_PRINCIPALS, type PrincipalGrant, aclBindings } from '@penumbra/config';
import { DEFAULT_TOPIC_PREFIX, TOPICS, topicNames } from '@penumbra/contracts';
import { repoRoot } from './manifests';
import { renderAclScript } from './kafka-acls';

/** Every non-test TypeScript source under a directory. */
function sources(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !/\.(spec|spec-helpers|fixture)\.ts$/.test(e.name) && !e.name.includes('.spec'))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

const AUDITED = /AUDITED_TOPICS = \[([^\]]*)\]/.exec(readFileSync(join(repoRoot, 'libs', 'audit', 'src', 'describe.ts'), 'utf8'))?.[1] ?? '';

const LIB_PATHS = (JSON.parse(readFileSync(join(repoRoot, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;

const tagsOf = (dir: string) => (JSON.parse(readFileSync(join(repoRoot, dir, 'project.json'), 'utf8')) as { tags: string[] }).tags;

/** An app's own sources and those of the feature libraries of its scope it imports, which hold its logic. */
function appSources(app: string): string[] {
  const own = sources(join('apps', app, 'src'));
  const scope = tagsOf(join('apps', app)).find((t) => t.startsWith('scope:'));
  const features = new Set<string>();
  for (const text of own)
    for (const m of text.matchAll(/from '(@penumbra\/[\w-]+)'/g)) {
      const dir = (LIB_PATHS[m[1] ?? ''] ?? [])[0]?.replace(/\/index\.ts$/, '');
      const tags = dir === undefined ? [] : tagsOf(join(dir, '..'));
      if (dir !== undefined && tags.includes('type:feature') && scope !== undefined && tags.includes(scope)) features.add(dir);
    }
  return [...own, ...[...features].flatMap((dir) => sources(dir))];
}

/** The topics an app's code names: `topics.<key>`, plus what the shared service kit and audit list bring in. */
function topicsUsedBy(app: string): string[] {
  const used = new Set<string>();
  for (const text of appSources(app)) {
    for (const m of text.matchAll(/topics\.(\w+)/g)) if ((m[1] ?? '') in TOPICS) used.add(m[1] ?? '');
    // Handlers on the batch transport consume their topic key, and dead-letter and alert like any consumer.
    // A pattern that is no topic key reads a topic outside the project's (GoReplay's), granted by its owner.
    for (const m of text.matchAll(/@EventPattern\('(\w+)'/g)) if ((m[1] ?? '') in TOPICS) used.add(m[1] ?? '');
    if (text.includes('startExperimentTable(') || text.includes('experimentsProvider')) used.add('experiments');
    if (text.includes('consumerDefaults(') || text.includes('@EventPattern(')) ['dlq', 'alerts'].forEach((t) => used.add(t));
    if (text.includes('AUDITED_TOPICS')) for (const m of AUDITED.matchAll(/'(\w+)'/g)) used.add(m[1] ?? '');
  }
  return [...used].sort();
}

const grant = (user: string): PrincipalGrant => {
  const found = KAFKA_PRINCIPALS.find((p) => p.user === user);
  if (!found) throw new Error(`no principal ${user}`);
  return found;
};
const granted = (g: PrincipalGrant) => [...new Set([...g.read, ...g.write])].sort();

describe('Kafka principals and ACLs', () => {
  it.each(['traffic-mirror', 'comparator', 'aggregator', 'sentinel', 'audit-sink', 'console'])('%s is granted exactly the topics its code uses', (service) => {
    expect(granted(grant(service))).toEqual(topicsUsedBy(service));
  });

  it('the operator principal covers the topics the CLI uses', () => {
    expect(granted(grant('operator'))).toEqual(topicsUsedBy('cli'));
  });

  it('no service may write the topics that steer the fleet unless it is their producer', () => {
    const writers = (key: string) =>
      KAFKA_PRINCIPALS.filter((p) => (p.write as readonly string[]).includes(key))
        .map((p) => p.user)
        .sort();
    expect(writers('commands')).toEqual(['sentinel']);
    expect(writers('control')).toEqual(['console', 'operator']);
    expect(writers('experiments')).toEqual(['operator', 'sentinel']);
    expect(writers('audit')).toEqual(['audit-sink']);
    expect(writers('traffic')).toEqual(['capture']);
  });

  it('gives the audit-sink its transactional id and every producer idempotent writes', () => {
    const rules = aclBindings({ topicPrefix: 't.', groupPrefix: 'g.' });
    expect(rules).toContainEqual({ principal: 'User:audit-sink', resourceType: 'transactional-id', name: 'penumbra-audit-sink', pattern: 'prefixed', operation: 'write' });
    const producers = new Set(rules.filter((r) => r.resourceType === 'topic' && r.operation === 'write').map((r) => r.principal));
    const idempotent = new Set(rules.filter((r) => r.operation === 'idempotent-write').map((r) => r.principal));
    expect(idempotent).toEqual(producers);
    expect(rules.filter((r) => r.resourceType === 'topic').every((r) => r.name.startsWith('t.'))).toBe(true);
    expect(rules).toContainEqual({ principal: 'User:comparator', resourceType: 'group', name: 'g.comparator', pattern: 'prefixed', operation: 'read' });
  });

  it('names only topics that exist', () => {
    const known = new Set(Object.values(topicNames(DEFAULT_TOPIC_PREFIX)));
    expect(aclBindings().filter((r) => r.resourceType === 'topic' && !known.has(r.name))).toEqual([]);
  });

  it('deploy/kafka-acls.sh is generated from the table', () => {
    expect(readFileSync(join(repoRoot, 'deploy', 'kafka-acls.sh'), 'utf8')).toEqual(renderAclScript());
  });
});
