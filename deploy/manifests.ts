import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';

export const repoRoot = join(__dirname, '..');
export const read = (...parts: string[]): string => readFileSync(join(repoRoot, ...parts), 'utf8');

/** The services: every app but the CLI. */
export function serviceNames(): string[] {
  return readdirSync(join(repoRoot, 'apps'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'cli')
    .map((d) => d.name)
    .sort();
}

/** Every document of a YAML file; a syntax error fails the test with the file's name. */
export function yamlDocuments(...parts: string[]): unknown[] {
  return parseAllDocuments(read(...parts))
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${parts.join('/')}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS({ maxAliasCount: 100 });
    })
    .filter((doc) => doc !== null);
}

/** Compose files use merge keys (`<<: *anchor`), which YAML 1.2 leaves off by default. */
export const yamlWithMerge = (...parts: string[]): unknown => parse(read(...parts), { merge: true });

const namedPort = z.union([z.string(), z.number()]);
const httpProbe = z.object({ httpGet: z.object({ path: z.string(), port: namedPort }) });
const quantities = z.object({ cpu: z.union([z.string(), z.number()]).optional(), memory: z.string().optional() });

export const containerSchema = z.object({
  name: z.string(),
  image: z.string(),
  command: z.array(z.string()).optional(),
  env: z.array(z.object({ name: z.string(), value: z.string().optional(), valueFrom: z.unknown().optional() })).default([]),
  envFrom: z
    .array(z.object({ configMapRef: z.object({ name: z.string() }).optional(), secretRef: z.object({ name: z.string(), optional: z.boolean().optional() }).optional() }))
    .default([]),
  ports: z.array(z.object({ name: z.string().optional(), containerPort: z.number() })).default([]),
  readinessProbe: httpProbe.optional(),
  livenessProbe: httpProbe.optional(),
  startupProbe: httpProbe.optional(),
  resources: z.object({ requests: quantities.optional(), limits: quantities.optional() }).optional(),
});
export type Container = z.infer<typeof containerSchema>;

const labels = z.record(z.string(), z.string());
export const manifestSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.object({ name: z.string(), namespace: z.string().optional(), labels: labels.optional() }),
});

export const deploymentSchema = manifestSchema.extend({
  kind: z.literal('Deployment'),
  spec: z.object({
    replicas: z.number().int(),
    strategy: z.object({ type: z.enum(['Recreate', 'RollingUpdate']) }).optional(),
    selector: z.object({ matchLabels: labels }),
    template: z.object({
      metadata: z.object({ labels, annotations: labels.optional() }),
      spec: z.object({ containers: z.array(containerSchema).min(1) }),
    }),
  }),
});
export type Deployment = z.infer<typeof deploymentSchema>;

export const serviceSchema = manifestSchema.extend({
  kind: z.literal('Service'),
  spec: z.object({ selector: labels, ports: z.array(z.object({ port: z.number(), targetPort: namedPort })).min(1) }),
});

export const configMapSchema = manifestSchema.extend({ kind: z.literal('ConfigMap'), data: z.record(z.string(), z.string()) });
export const secretSchema = manifestSchema.extend({ kind: z.literal('Secret'), stringData: z.record(z.string(), z.string()) });
export const kustomizationSchema = z.object({
  kind: z.literal('Kustomization'),
  resources: z.array(z.string()),
  images: z.array(z.object({ name: z.string() })).default([]),
});

/** Metric names a PromQL expression reads: Penumbra's own and prom-client's default ones. */
export function metricsIn(expr: string): string[] {
  return [...new Set(expr.match(/\b(?:penumbra|process|nodejs)_[a-z0-9_]+\b/g) ?? [])];
}

const SOURCE_ROOTS = ['apps', 'libs'];

/** Every metric the TypeScript sources register (`name: 'penumbra_…'`), specs left out. */
export function registeredMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        for (const [, name] of readFileSync(path, 'utf8').matchAll(/name:\s*'(penumbra_[a-z0-9_]+)'/g)) if (name) names.add(name);
      }
    }
  };
  for (const root of SOURCE_ROOTS) walk(join(repoRoot, root));
  return names;
}

/** prom-client's default metrics (collectDefaultMetrics), read from its own sources. */
export function defaultMetricsSource(): string {
  const dir = join(dirname(require.resolve('prom-client')), 'lib', 'metrics');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

/** Whether a metric read by a query exists: registered as is, or a histogram's series. */
export function metricExists(name: string, registered: Set<string>, defaults: string): boolean {
  if (name.startsWith('penumbra_')) {
    return registered.has(name) || registered.has(name.replace(/_(bucket|sum|count)$/, ''));
  }
  return defaults.includes(`'${name}'`);
}
