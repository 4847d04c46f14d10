import { z } from 'zod';
import { CUSTOM_METRIC_NAME_PATTERN } from './metric';

export const BUILTIN_METRICS = [
  'matchRate',
  'mismatchRate',
  'statusMatchRate',
  'candidateErrorRate',
  'errorRateDelta',
  'timeoutRate',
  'latencyP50Ratio',
  'latencyP90Ratio',
  'latencyP99Ratio',
  'maxExcessDiffRate',
  'pathRegressions',
] as const;
export type BuiltinMetric = (typeof BUILTIN_METRICS)[number];

/** Rates that count successes out of samples, and so can be judged by a confidence bound. */
export const RATE_METRICS: readonly BuiltinMetric[] = ['matchRate', 'mismatchRate', 'statusMatchRate', 'candidateErrorRate', 'timeoutRate'];

/**
 * Judged on the per-path verdicts (pairs with a secondary): the upper confidence bound of the largest
 * per-path excess difference rate, and the number of paths judged a regression. A confidence sets
 * the bound's level, and the false discovery rate of the regressions (1 - confidence).
 */
export const PATH_METRICS: readonly BuiltinMetric[] = ['maxExcessDiffRate', 'pathRegressions'];

export const METRIC_STATISTICS = ['count', 'sum', 'min', 'max', 'last', 'mean'] as const;

const customMetricRef = new RegExp(`^${CUSTOM_METRIC_NAME_PATTERN}\\.(${METRIC_STATISTICS.join('|')})$`);

export const gateMetric = z.string().refine((m) => (BUILTIN_METRICS as readonly string[]).includes(m) || customMetricRef.test(m), {
  message: `must be one of ${BUILTIN_METRICS.join(', ')}, or a custom metric statistic "<name>.<${METRIC_STATISTICS.join('|')}>" such as precision.last`,
});

export const comparison = z.enum(['>=', '<=', '>', '<', '==', '!=']);
export type Comparison = z.infer<typeof comparison>;

const gateObject = z
  .object({
    metric: gateMetric,
    op: comparison,
    threshold: z.number().refine(Number.isFinite, 'must be a finite number'),
    /** Judge the rate by a sequential confidence bound at this level instead of a point estimate. */
    confidence: z.number().gt(0.5).lt(1).optional(),
    name: z.string().min(1).max(200).optional(),
  })
  .superRefine((g, ctx) => {
    if (g.confidence === undefined) return;
    if ((PATH_METRICS as readonly string[]).includes(g.metric)) {
      if (g.op === '==' || g.op === '!=') ctx.addIssue({ code: 'custom', path: ['op'], message: `${g.metric} is judged by a bound: use an ordering (>=, <=, >, <)` });
      return;
    }
    // A confidence promises that repeated looks keep wrong decisions under 1 - confidence; the
    // engine keeps that promise only for rates counted per pair, compared by an ordering.
    if (!(RATE_METRICS as readonly string[]).includes(g.metric)) {
      ctx.addIssue({
        code: 'custom',
        path: ['confidence'],
        message: `${g.metric} is not a rate counted per pair, so no confidence can be kept for it under repeated evaluation; drop the confidence (its point estimate is then judged once the stage has its minimum evidence) or gate one of ${[...RATE_METRICS, ...PATH_METRICS].join(', ')}`,
      });
    } else if (g.op === '==' || g.op === '!=') {
      ctx.addIssue({
        code: 'custom',
        path: ['confidence'],
        message: `a confidence needs an ordering (>=, <=, >, <): no finite sample shows a rate to equal ${g.threshold} exactly, so "${g.op}" with a confidence could never be decided soundly; write e.g. "${g.metric} <= ${g.threshold === 0 ? 0.001 : g.threshold}" with the confidence`,
      });
    } else if (g.threshold < 0 || g.threshold > 1) {
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: `${g.metric} is a rate: a threshold judged with a confidence lies between 0 and 1` });
    }
  });

const GATE_SHORTHAND = /^\s*([A-Za-z_][\w.-]*)\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*(?:@\s*(0?\.\d+))?\s*$/i;

/** A gate as an object, or the shorthand string "matchRate >= 0.99", with a confidence as "mismatchRate <= 0.01 @0.95". */
export const gateSchema = z.preprocess((input) => {
  if (typeof input !== 'string') return input;
  const m = GATE_SHORTHAND.exec(input);
  if (!m) return input;
  return { metric: m[1], op: m[2], threshold: Number(m[3]), ...(m[4] === undefined ? {} : { confidence: Number(m[4]) }) };
}, gateObject);
export type Gate = z.infer<typeof gateSchema>;

export const stageMode = z.enum(['observe', 'dry-run', 'live']);
export type StageMode = z.infer<typeof stageMode>;

/**
 * Where a stage's evidence comes from: live mirrored traffic, traffic replayed from the traffic
 * topic's retention (`penumbra replay`, the "~replay" rollup), or the regression corpus (the
 * "~corpus" rollup). A replay or corpus stage serves no real traffic and comes before every live stage.
 */
export const stageKind = z.enum(['live', 'replay', 'corpus']);
export type StageKind = z.infer<typeof stageKind>;

export const stageSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'stage names are lower-case letters, digits, "_" or "-"'),
  kind: stageKind.default('live'),
  mode: stageMode.default('live'),
  /** Share of real traffic the candidate serves at this stage, in percent. */
  weight: z.number().min(0).max(100).default(0),
  minDurationSec: z.number().int().nonnegative().default(300),
  minSamples: z.number().int().nonnegative().default(500),
  gates: z.array(gateSchema).default([]),
  rollbackTriggers: z.array(gateSchema).default([]),
  approval: z.object({ required: z.boolean().default(true), roles: z.array(z.string().min(1)).default([]) }).optional(),
});
export type Stage = z.infer<typeof stageSchema>;

export const policySchema = z
  .object({
    stages: z.array(stageSchema).min(1, 'a policy needs at least one stage'),
    cooldownSec: z.number().int().nonnegative().default(600),
    /**
     * At most `maxPromotions` promotions of this experiment per `windowSec`, counted for each slice
     * decided on its own (`per: slice`, the default: a slice is its own rollout) or for all of the
     * experiment's slices together (`per: experiment`); and, separately, this experiment is not
     * promoted while the fleet as a whole (every experiment the sentinels decide) had
     * `fleet.maxPromotions` promotions within `fleet.windowSec`.
     */
    circuitBreaker: z
      .object({
        maxPromotions: z.number().int().positive().default(3),
        windowSec: z.number().int().positive().default(3600),
        per: z.enum(['slice', 'experiment']).default('slice'),
        fleet: z.object({ maxPromotions: z.number().int().positive().default(20), windowSec: z.number().int().positive().default(3600) }).prefault({}),
      })
      .prefault({}),
    onRollback: z.enum(['back-to-shadow', 'stop-mirroring']).default('back-to-shadow'),
    stricterAfterRollback: z.object({ samplesFactor: z.number().min(1).default(2), bakeFactor: z.number().min(1).default(2) }).prefault({}),
    watchAfterFinalSec: z.number().int().nonnegative().default(1800),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.stages.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['stages', i, 'name'], message: `duplicate stage name "${s.name}"` });
      seen.add(s.name);
    });
    const firstLive = p.stages.findIndex((s) => s.kind === 'live');
    p.stages.forEach((s, i) => {
      if (s.kind === 'live') return;
      if (firstLive >= 0 && i > firstLive) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'kind'],
          message: `a ${s.kind} stage decides before live traffic: move "${s.name}" before "${p.stages[firstLive]?.name}"`,
        });
      }
      if (s.weight !== 0) ctx.addIssue({ code: 'custom', path: ['stages', i, 'weight'], message: `a ${s.kind} stage serves no real traffic: set the weight of "${s.name}" to 0` });
    });
  });
export type Policy = z.infer<typeof policySchema>;
