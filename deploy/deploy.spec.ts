import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ServiceName, serviceEnvSchemas } from '@penumbra/config';
import { z } from 'zod';
import {
  type Container,
  type Deployment,
  configMapSchema,
  defaultMetricsSource,
  deploymentSchema,
  kustomizationSchema,
  manifestSchema,
  metricExists,
  metricsIn,
  read,
  registeredMetrics,
  repoRoot,
  secretSchema,
  serviceNames,
  serviceSchema,
  yamlDocuments,
  yamlWithMerge,
} from './manifests';

const services = serviceNames();
const isService = (name: string): name is ServiceName => name in serviceEnvSchemas;

const k8sFiles = readdirSync(join(repoRoot, 'deploy', 'k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const manifests = k8sFiles.flatMap((file) => yamlDocuments('deploy', 'k8s', file).map((doc) => ({ file, doc: manifestSchema.passthrough().parse(doc) })));
const ofKind = <T>(schema: z.ZodType<T>, kind: string): T[] => manifests.filter((m) => m.doc.kind === kind).map((m) => schema.parse(m.doc));
const deployments = ofKind(deploymentSchema, 'Deployment');
const configMap = ofKind(configMapSchema, 'ConfigMap')[0]!;
const secret = ofKind(secretSchema, 'Secret')[0]!;
const kustomization = kustomizationSchema.parse(yamlDocuments('deploy', 'k8s', 'kustomization.yaml')[0]);

function deploymentOf(service: string): { deployment: Deployment; container: Container } {
  const deployment = deployments.find((d) => d.metadata.name === service);
  if (!deployment) throw new Error(`no Deployment for ${service} in deploy/k8s`);
  return { deployment, container: deployment.spec.template.spec.containers[0]! };
}

describe('the services', () => {
  it('are the apps with an environment schema', () => {
    expect(services.length).toBeGreaterThan(0);
    expect(services).toEqual(Object.keys(serviceEnvSchemas).sort());
  });
});

describe('deploy/k8s', () => {
  it('lists every manifest in the kustomization, and only existing ones', () => {
    expect([...kustomization.resources].sort()).toEqual([...k8sFiles].sort());
  });

  it('has a Namespace, the shared ConfigMap and the example Secret', () => {
    expect(manifests.some((m) => m.doc.kind === 'Namespace')).toBe(true);
    expect(configMap.metadata.name).toBe('penumbra-config');
    expect(Object.values(secret.stringData).every((v) => v === '')).toBe(true);
  });

  it('runs every image through the kustomization image name', () => {
    const images = new Set(kustomization.images.map((i) => i.name));
    for (const d of deployments) for (const c of d.spec.template.spec.containers) expect(images.has(c.image)).toBe(true);
  });

  it.each(services)('%s: a Deployment with readiness, liveness, resources and the shared environment', (service) => {
    const { deployment, container } = deploymentOf(service);
    expect(container.env.find((e) => e.name === 'APP')?.value).toBe(service);
    expect(container.readinessProbe?.httpGet.path).toBe('/health/ready');
    expect(container.livenessProbe?.httpGet.path).toBe('/health/live');
    const portNames = container.ports.flatMap((p) => [p.name, p.containerPort]);
    expect(portNames).toContain(container.readinessProbe?.httpGet.port);
    expect(portNames).toContain(container.livenessProbe?.httpGet.port);
    expect(container.resources?.requests?.cpu).toBeDefined();
    expect(container.resources?.requests?.memory).toBeDefined();
    expect(container.resources?.limits?.memory).toBeDefined();
    expect(container.envFrom.map((e) => e.configMapRef?.name)).toContain(configMap.metadata.name);
    expect(container.envFrom.find((e) => e.secretRef)?.secretRef).toEqual({ name: secret.metadata.name, optional: true });
    for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels)) expect(deployment.spec.template.metadata.labels[k]).toBe(v);
  });

  it.each(services)('%s: a Service that selects its pods on the HTTP port', (service) => {
    const { deployment, container } = deploymentOf(service);
    const svc = ofKind(serviceSchema, 'Service').find((s) => s.metadata.name === service);
    expect(svc).toBeDefined();
    for (const [k, v] of Object.entries(svc!.spec.selector)) expect(deployment.spec.template.metadata.labels[k]).toBe(v);
    expect(container.ports.flatMap((p) => [p.name, p.containerPort])).toContain(svc!.spec.ports[0]!.targetPort);
  });

  it.each(services)('%s: the ConfigMap, Secret and Deployment environment pass the service schema', (service) => {
    if (!isService(service)) throw new Error(`${service} has no environment schema`);
    const { container } = deploymentOf(service);
    const own = Object.fromEntries(container.env.flatMap((e) => (e.value === undefined ? [[e.name, 'from-the-pod']] : [[e.name, e.value]])));
    const parsed = serviceEnvSchemas[service].safeParse({ ...configMap.data, ...secret.stringData, ...own });
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(container.ports.map((p) => String(p.containerPort))).toContain(configMap.data['HTTP_PORT']);
  });

  it('runs one audit-sink, replaced with Recreate (one transactional id)', () => {
    const { deployment } = deploymentOf('audit-sink');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy?.type).toBe('Recreate');
  });
});

const healthcheck = z.object({ test: z.array(z.string()) });
const composeService = z.object({
  image: z.string().optional(),
  build: z.union([z.string(), z.object({ context: z.string(), dockerfile: z.string().optional(), args: z.record(z.string(), z.string()).optional() })]).optional(),
  command: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  ports: z.array(z.string()).default([]),
  profiles: z.array(z.string()).optional(),
  healthcheck: healthcheck.optional(),
  depends_on: z.union([z.array(z.string()), z.record(z.string(), z.object({ condition: z.string() }))]).optional(),
});
const compose = z.object({ services: z.record(z.string(), composeService) }).parse(yamlWithMerge('docker-compose.yml'));

describe('docker-compose.yml', () => {
  const entries = Object.entries(compose.services);

  it('keeps Kafka, Redis and topic provisioning, and adds every service', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['kafka', 'redis', 'provision', ...services]));
  });

  it('builds every image from the Dockerfile with an APP that is a service, or runs a command', () => {
    for (const [name, svc] of entries.filter(([, s]) => s.build !== undefined)) {
      const build = typeof svc.build === 'string' ? { context: svc.build } : svc.build!;
      expect(build.context).toBe('.');
      expect(build.dockerfile ?? 'Dockerfile').toBe('Dockerfile');
      const app = 'args' in build ? build.args?.['APP'] : undefined;
      if (app === undefined) expect(svc.command).toBeDefined();
      else expect({ name, app: services.includes(app) ? app : `not a service: ${app}` }).toEqual({ name, app: name });
    }
  });

  it('names only existing services in depends_on, with profiles that never disable a dependency', () => {
    for (const [name, svc] of entries) {
      const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
      for (const dep of deps) {
        const target = compose.services[dep];
        expect({ name, dep, exists: target !== undefined }).toEqual({ name, dep, exists: true });
        if (svc.profiles && target?.profiles) expect(svc.profiles.every((p) => target.profiles!.includes(p))).toBe(true);
        if (!svc.profiles) expect(target?.profiles).toBeUndefined();
      }
    }
  });

  it('publishes distinct ports, on the loopback only', () => {
    const published = entries.flatMap(([, s]) => s.ports).map((p) => p.split(':'));
    for (const parts of published) expect(parts).toHaveLength(3);
    expect(published.every(([host]) => host === '127.0.0.1')).toBe(true);
    const hostPorts = published.map(([, port]) => port);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it.each(services)('%s: waits for the topics and Redis, is configured for the network and checks readiness', (service) => {
    const svc = compose.services[service]!;
    expect(svc.depends_on).toEqual({ provision: { condition: 'service_completed_successfully' }, redis: { condition: 'service_healthy' } });
    expect(svc.environment).toMatchObject({ KAFKA_BROKERS: 'kafka:9092', REDIS_URL: 'redis://redis:6379', HTTP_HOST: '0.0.0.0', HTTP_PORT: '8080' });
    expect(svc.ports.map((p) => p.split(':')[2])).toEqual(['8080']);
    expect(svc.healthcheck?.test.join(' ')).toContain('/health/ready');
    if (!isService(service)) throw new Error(`${service} has no environment schema`);
    const env = Object.fromEntries(Object.entries(svc.environment).map(([k, v]) => [k, String(v)]));
    expect(serviceEnvSchemas[service].safeParse(env).error?.issues ?? []).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('compiles in a build stage and runs the compiled service in a runtime stage with production dependencies only, as a non-root user', () => {
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim AS build$/m);
    expect(dockerfile).toMatch(/^RUN NX_DAEMON=false NX_NO_CLOUD=true npm run build$/m);
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim AS prod-deps$/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev\b/m);
    const runtime = dockerfile.slice(dockerfile.search(/^FROM node:20-bookworm-slim AS runtime$/m));
    expect(runtime).toContain('COPY --from=prod-deps /app/node_modules ./node_modules');
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime).not.toMatch(/^COPY \. \.$/m);
    expect(runtime).not.toContain('swc');
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/HTTP_HOST=0\.0\.0\.0/);
    expect(runtime).toMatch(/^HEALTHCHECK [\s\S]*\/health\/live/m);
    expect(runtime).toContain('exec node \\"dist/apps/$APP/src/main.js\\"');
    const accepted = /case \\"\$APP\\" in ([a-z|-]+)\)/.exec(dockerfile)?.[1]?.split('|').sort();
    expect(accepted).toEqual(services);
  });

  it('keeps node_modules out of the build context', () => {
    expect(read('.dockerignore').split('\n')).toContain('node_modules');
  });
});

const registered = registeredMetrics();
const defaults = defaultMetricsSource();
const missingMetrics = (exprs: string[]): string[] => exprs.flatMap(metricsIn).filter((m) => !metricExists(m, registered, defaults));

describe('deploy/prometheus', () => {
  const prometheus = z
    .object({
      rule_files: z.array(z.string()),
      scrape_configs: z.array(z.object({ job_name: z.string(), relabel_configs: z.array(z.object({ regex: z.string().optional() })).optional() })),
    })
    .parse(yamlDocuments('deploy', 'prometheus', 'prometheus.yml')[0]);
  const rule = z.object({
    alert: z.string(),
    expr: z.string(),
    for: z.string().optional(),
    labels: z.object({ severity: z.enum(['warning', 'critical']) }),
    annotations: z.object({ summary: z.string() }),
  });
  const alerts = z.object({ groups: z.array(z.object({ name: z.string(), rules: z.array(rule).min(1) })) }).parse(yamlDocuments('deploy', 'prometheus', 'alerts.yml')[0]);
  const rules = alerts.groups.flatMap((g) => g.rules);

  it('loads the alert rules and scrapes the pods of the penumbra job', () => {
    for (const f of prometheus.rule_files) expect(existsSync(join(repoRoot, 'deploy', 'prometheus', f))).toBe(true);
    expect(prometheus.scrape_configs.map((s) => s.job_name)).toContain('penumbra');
    expect(rules.filter((r) => r.expr.includes('up{')).every((r) => r.expr.includes('job="penumbra"'))).toBe(true);
  });

  it('alerts on lag, dead letters, a service down, the sentinel and the mirror', () => {
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    const needed = [
      'PenumbraServiceDown',
      'PenumbraConsumerLagHigh',
      'PenumbraDeadLettersIncreasing',
      'PenumbraRollback',
      'PenumbraKillSwitchActivated',
      'PenumbraCommandsUnacknowledged',
      'PenumbraMirrorOverload',
      'PenumbraCaptureDropping',
    ];
    expect(names).toEqual(expect.arrayContaining(needed));
  });

  it('reads only metrics the code registers', () => {
    expect(rules.every((r) => metricsIn(r.expr).length > 0 || r.expr.includes('up{'))).toBe(true);
    expect(missingMetrics(rules.map((r) => r.expr))).toEqual([]);
  });
});

describe('deploy/grafana', () => {
  const target = z.object({ refId: z.string(), expr: z.string() });
  const panel = z.object({ id: z.number(), type: z.string(), title: z.string(), targets: z.array(target).optional() });
  const dashboard = z.object({ uid: z.string(), title: z.string(), panels: z.array(panel).min(1) }).parse(JSON.parse(read('deploy', 'grafana', 'penumbra.json')));
  const queries = dashboard.panels.filter((p) => p.type !== 'row');
  const exprs = queries.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  it('has a query on every panel and unique panel ids', () => {
    expect(queries.every((p) => (p.targets ?? []).length > 0)).toBe(true);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('queries only metrics the code registers, and every one of them', () => {
    expect(missingMetrics(exprs)).toEqual([]);
    const shown = new Set(exprs.flatMap(metricsIn).map((m) => m.replace(/_(bucket|sum|count)$/, '')));
    expect([...registered].filter((m) => !shown.has(m))).toEqual([]);
  });
});
