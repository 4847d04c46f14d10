import { z } from 'zod';
import { SAFE_METHODS, experimentId, httpMethod } from './common';
import { policySchema } from './experiment-policy';

const baseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http:// or https:// URL' })
  .refine((u) => !/[?#]/.test(u), 'must not carry a query or fragment: the mirror appends the captured path');

const lowerHeader = z
  .string()
  .min(1)
  .max(200)
  .transform((h) => h.toLowerCase());
/** JSONPath-style rule path: $.a.b, $.items[*].id, $..updatedAt */
const rulePath = z.string().regex(/^\$(\.\.?[^.[\]]+|\[(\*|\d+)\])*$/, 'must be a JSONPath such as $.items[*].price or $..updatedAt');

export const targetSchema = z.object({
  service: z.string().min(1).max(200),
  /** Route patterns: exact paths, templates with :params, or globs with * and **. Empty means every route. */
  routes: z.array(z.string().min(1).max(1024)).default([]),
  /** Methods of captured traffic that belong to the experiment. Empty means every method. */
  methods: z.array(httpMethod).default([]),
});

export const samplingKeySchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('traffic-id') }),
  z.object({ source: z.literal('session') }),
  z.object({ source: z.literal('attribute'), name: z.string().min(1) }),
  z.object({ source: z.literal('header'), name: lowerHeader }),
]);

export const shadowSchema = z
  .object({
    candidate: z.object({ baseUrl }),
    secondary: z.object({ baseUrl }).optional(),
    sampleRate: z.number().min(0).max(1).default(1),
    samplingKey: samplingKeySchema.default({ source: 'traffic-id' }),
    rateLimitPerSec: z.number().positive().default(100),
    maxInFlight: z.number().int().positive().max(10_000).default(32),
    timeoutMs: z.number().int().positive().max(120_000).default(2000),
    /** skip: count the record as overload and move on; backpressure: slow consumption instead. */
    onOverload: z.enum(['skip', 'backpressure']).default('skip'),
    headers: z
      .object({
        /** Credentials to forward anyway (authorization, cookie… are dropped unless named here). */
        forward: z.array(lowerHeader).default([]),
        /** Extra headers to drop on top of credentials and hop-by-hop headers. */
        drop: z.array(lowerHeader).default([]),
        add: z.record(z.string(), z.string()).default({}),
      })
      .prefault({}),
    /** Only safe methods are mirrored unless unsafe ones are listed: a mirrored write can charge a card twice. */
    allowedMethods: z.array(httpMethod).default([...SAFE_METHODS]),
    maxRequestBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    maxResponseBytes: z
      .number()
      .int()
      .positive()
      .default(5 * 1024 * 1024),
  })
  .refine((s) => !s.secondary || s.secondary.baseUrl !== s.candidate.baseUrl, {
    path: ['secondary', 'baseUrl'],
    message: 'must differ from the candidate: the secondary is a second copy of production',
  });

export const compareSchema = z
  .object({
    ignore: z.array(rulePath).default([]),
    tolerances: z.record(rulePath, z.number().nonnegative()).default({}),
    unordered: z.array(rulePath).default([]),
    headers: z.array(lowerHeader).default([]),
    redact: z.array(rulePath).default([]),
    /** Route templates for endpoint normalization, such as /orders/:id. */
    routes: z.array(z.string().min(1).max(1024)).default([]),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024),
    noise: z
      .object({
        /**
         * How a difference is judged noise before it counts as a mismatch: `threshold`, Diffy's rule
         * alone; `sequential`, the per-path verdicts first (a path judged noise is always suppressed,
         * a path judged a regression never), and Diffy's rule only for paths still undecided.
         */
        method: z.enum(['threshold', 'sequential']).default('threshold'),
        relativeThreshold: z.number().nonnegative().default(0.2),
        absoluteThreshold: z.number().nonnegative().default(0.0003),
        suppressSuspectedVolatile: z.boolean().default(false),
      })
      .prefault({}),
    /** The per-path verdicts (pairs with a secondary only): see path-verdicts in the README. */
    verdicts: z
      .object({
        /** The false discovery rate across the experiment's paths. */
        fdr: z.number().gt(0).lt(1).default(0.05),
        /** The equivalence margin: a path is noise once its excess difference rate is shown below it. */
        delta: z.number().gt(0).lt(1).default(0.001),
        /** The level of each path's confidence sequence is 1 - alpha. */
        alpha: z.number().gt(0).lt(1).default(0.05),
        /** Paths counted per experiment, fixed in advance: the K of e-BH. Paths past it are counted as overflow. */
        maxPaths: z.number().int().min(1).max(10_000).default(1000),
      })
      .prefault({}),
  })
  .prefault({});

export const slicesSchema = z
  .object({
    attributes: z.array(z.string().min(1).max(100)).default([]),
    /** Promote or roll back each slice on its own evidence. */
    decidePerSlice: z.boolean().default(false),
  })
  .prefault({});

export const DEFAULT_POLICY_STAGES = [
  { name: 'shadow', mode: 'observe', weight: 0 },
  { name: 'canary', mode: 'live', weight: 10 },
  { name: 'full', mode: 'live', weight: 100 },
] as const;

export const experimentSpecSchema = z
  .object({
    id: experimentId,
    description: z.string().max(2000).default(''),
    owner: z.string().max(200).optional(),
    target: targetSchema,
    shadow: shadowSchema,
    compare: compareSchema,
    slices: slicesSchema,
    policy: policySchema,
  })
  .superRefine((spec, ctx) => {
    spec.slices.attributes.forEach((a, i) => {
      if (spec.slices.attributes.indexOf(a) !== i) ctx.addIssue({ code: 'custom', path: ['slices', 'attributes', i], message: `duplicate slice attribute "${a}"` });
    });
    if (spec.slices.decidePerSlice && spec.slices.attributes.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['slices', 'decidePerSlice'], message: 'needs at least one slice attribute in slices.attributes' });
    }
    spec.policy.stages.forEach((s, i) => {
      if (s.kind !== 'live' && !spec.shadow.secondary) {
        const why = "a replayed capture is stale, so the live secondary answers in the primary's place";
        ctx.addIssue({ code: 'custom', path: ['policy', 'stages', i, 'kind'], message: `a ${s.kind} stage needs shadow.secondary: ${why}` });
      }
    });
  });
export type ExperimentSpec = z.infer<typeof experimentSpecSchema>;
export type ExperimentSpecInput = z.input<typeof experimentSpecSchema>;
