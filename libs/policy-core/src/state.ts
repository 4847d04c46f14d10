import { type AlertKind, type CommandAction, type Evidence, type GateEvidence, gateEvidenceSchema } from '@penumbra/contracts';
import { z } from 'zod';

export const sliceStatus = z.enum(['running', 'paused', 'cooldown', 'watching', 'promoted', 'stopped', 'killed']);
export type SliceStatus = z.infer<typeof sliceStatus>;

/** Statuses after which nothing happens on its own any more. */
export const FINAL_STATUSES: readonly SliceStatus[] = ['promoted', 'stopped', 'killed'];

/** Bounds what a stored state may carry: a stage has at most this many gates and triggers. */
export const MAX_FIRST_LOOKS = 200;

export const firstLookRecord = z.object({
  /** The test: its kind, metric, comparison, threshold and confidence. */
  test: z.string().max(600),
  successes: z.number().int().nonnegative(),
  trials: z.number().int().positive(),
});
export type FirstLookRecord = z.infer<typeof firstLookRecord>;

/**
 * One experiment slice's place in its policy. Stored by the sentinel and changed only by
 * compare-and-set on `version`; a command's id carries the version it was decided from.
 */
export const sliceStateSchema = z.object({
  version: z.number().int().nonnegative(),
  status: sliceStatus,
  stageIndex: z.number().int().nonnegative(),
  stageEnteredAt: z.number().int().nonnegative(),
  /** Since when every promotion gate has held without a break; the bake time counts from here. */
  passingSince: z.number().int().nonnegative().nullable(),
  rollbacks: z.number().int().nonnegative(),
  cooldownUntil: z.number().int().nonnegative().nullable(),
  watchUntil: z.number().int().nonnegative().nullable(),
  /** The status a pause interrupted, to resume into. */
  pausedFrom: sliceStatus.nullable(),
  approvals: z.array(z.object({ stage: z.string(), actor: z.string(), role: z.string().optional(), at: z.number().int() })).max(100),
  lastSamples: z.number().int().nonnegative(),
  lastProgressAt: z.number().int().nonnegative(),
  stalledAlerted: z.boolean(),
  /**
   * Each rate test's one early look in this stage (see first-looks.ts): kept so that later
   * evaluations re-use its verdict and never spend its share of alpha again.
   */
  firstLooks: z.array(firstLookRecord).max(MAX_FIRST_LOOKS).default([]),
  /** Set on a state rebuilt without its looks: the stage's early looks count as spent. */
  firstLooksLost: z.boolean().default(false),
  /** The last evaluation, for `status` and `watch`. */
  lastVerdict: z
    .object({
      at: z.number().int(),
      summary: z.string(),
      samples: z.number().int().nonnegative(),
      minSamples: z.number().int().nonnegative(),
      bakedMs: z.number().int().nonnegative(),
      bakeMs: z.number().int().nonnegative(),
      gates: z.array(gateEvidenceSchema),
      /** Mirrored ÷ matched captured requests since the stage began (absent before the mirror counted any). */
      coverage: z.number().min(0).max(1).optional(),
    })
    .nullable(),
});
export type SliceState = z.infer<typeof sliceStateSchema>;

export function initialSliceState(now: number): SliceState {
  return {
    version: 0,
    status: 'running',
    stageIndex: 0,
    stageEnteredAt: now,
    passingSince: now,
    rollbacks: 0,
    cooldownUntil: null,
    watchUntil: null,
    pausedFrom: null,
    approvals: [],
    lastSamples: 0,
    lastProgressAt: now,
    stalledAlerted: false,
    firstLooks: [],
    firstLooksLost: false,
    lastVerdict: null,
  };
}

/** A transition the engine decided; the service turns it into a Command with a deterministic id. */
export interface Decision {
  action: CommandAction;
  slice: string;
  fromStage: string;
  toStage: string;
  /** The state version the decision was taken from. */
  stateVersion: number;
  targetWeight: number;
  dryRun: boolean;
  reason: string;
  actor: { kind: 'sentinel' | 'operator'; name: string };
  evidence: Evidence;
  at: number;
}

export interface AlertDraft {
  kind: AlertKind;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  /** Makes the alert's id deterministic, so a re-evaluation does not raise it twice. */
  dedupeKey: string;
  details: Record<string, unknown>;
}

export interface Verdict {
  summary: string;
  samples: number;
  minSamples: number;
  bakedMs: number;
  bakeMs: number;
  gates: GateEvidence[];
  coverage?: number;
}
