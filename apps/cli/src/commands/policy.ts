import { readFileSync } from 'node:fs';
import { type Command } from 'commander';
import {
  ALL_SLICES,
  type AggregateSnapshot,
  type ExperimentSpec,
  ExperimentSpecError,
  type Gate,
  aggregateSnapshotSchema,
  formatIssues,
  parseExperimentSpec,
} from '@penumbra/contracts';
import { PenumbraError } from '@penumbra/errors';
import { gateLabel, gateText, noSliceWarning, policyHash, simulatePolicy } from '@penumbra/policy-core';
import { type Output } from '../output';

export class PolicyInputError extends PenumbraError {
  constructor(message: string) {
    super(message, { code: 'POLICY_INPUT_INVALID', retriable: false });
  }
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new PolicyInputError(`cannot read the ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function loadExperiment(path: string): ExperimentSpec {
  try {
    return parseExperimentSpec(readText(path, 'experiment'), path);
  } catch (err) {
    if (err instanceof ExperimentSpecError) throw new PolicyInputError(err.message);
    throw err;
  }
}

/** Recorded snapshots, one JSON object per line; a bad line is named by its number. */
export function parseSnapshotLines(text: string, source: string): AggregateSnapshot[] {
  const out: AggregateSnapshot[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      throw new PolicyInputError(`${source} line ${i + 1} is not JSON: ${(err as Error).message}`);
    }
    const parsed = aggregateSnapshotSchema.safeParse(json);
    if (!parsed.success) throw new PolicyInputError(`${source} line ${i + 1} is not an aggregate snapshot:\n${formatIssues(parsed.error)}`);
    out.push(parsed.data);
  });
  return out;
}

/** Per-slice decisions over snapshots that carry only the "*" rollup decide nothing: say so. */
function sliceWarnings(spec: ExperimentSpec, snapshots: AggregateSnapshot[]): string[] {
  const mine = snapshots.filter((s) => s.experimentId === spec.id);
  const unsliced = spec.slices.decidePerSlice && mine.length > 0 && mine.every((s) => s.sliceKey === ALL_SLICES);
  return unsliced ? [noSliceWarning(spec)] : [];
}

const gates = (list: Gate[]) => (list.length === 0 ? '-' : list.map(gateLabel).join('; '));

export function registerPolicy(program: Command, out: Output): void {
  const policy = program.command('policy').description("check an experiment's staged policy, or replay recorded aggregates through it offline");

  policy
    .command('check <experiment-file>')
    .description('validate an experiment (YAML or JSON) and print its stages; exit 1 naming every bad field')
    .option('--aggregates <file>', 'recorded aggregate snapshots (JSON lines): also check that per-slice decisions will see a slice')
    .option('--json', 'print JSON')
    .action((file: string, opts: { json?: boolean; aggregates?: string }) => {
      const spec = loadExperiment(file);
      const p = spec.policy;
      const hash = policyHash(p);
      const warnings = opts.aggregates === undefined ? [] : sliceWarnings(spec, parseSnapshotLines(readText(opts.aggregates, 'aggregates'), opts.aggregates));
      if (opts.json) return out.json({ valid: true, experimentId: spec.id, policyHash: hash, policy: p, warnings });
      out.line(`${file}: experiment "${spec.id}" is valid (policy ${hash.slice(0, 12)})`);
      out.table(
        ['stage', 'mode', 'weight', 'bake', 'min samples', 'gates', 'rollback triggers', 'approval'],
        p.stages.map((s) => [
          s.name,
          s.mode,
          `${s.weight}%`,
          `${s.minDurationSec}s`,
          String(s.minSamples),
          gates(s.gates),
          gates(s.rollbackTriggers),
          s.approval?.required ? s.approval.roles.join(', ') || 'any operator' : '-',
        ]),
      );
      out.line(
        `cooldown ${p.cooldownSec}s · at most ${p.circuitBreaker.maxPromotions} promotions per ${p.circuitBreaker.windowSec}s per ${p.circuitBreaker.per}, ${p.circuitBreaker.fleet.maxPromotions} per ${p.circuitBreaker.fleet.windowSec}s fleet-wide · on rollback: ${p.onRollback} · after each rollback: samples ×${p.stricterAfterRollback.samplesFactor}, bake ×${p.stricterAfterRollback.bakeFactor} · watch ${p.watchAfterFinalSec}s after the final promotion`,
      );
      out.line(`decisions: ${spec.slices.decidePerSlice ? `per slice of ${spec.slices.attributes.join(', ')}` : 'for the experiment as a whole'}`);
      for (const w of warnings) out.line(`warning: ${w}`);
    });

  policy
    .command('simulate')
    .description('run the sentinel engine over recorded aggregate snapshots and print the decision timeline')
    .requiredOption('--experiment <file>', 'the experiment (YAML or JSON)')
    .requiredOption('--aggregates <file>', 'aggregate snapshots, one JSON object per line (as on shadow.aggregates)')
    .option(
      '--json',
      'one JSON object per decision: action, fromStage, toStage, slice, at, reason, samples, evidence (every gate with value, bound, threshold, verdict); warnings as {"warning"}',
    )
    .action((opts: { experiment: string; aggregates: string; json?: boolean }) => {
      const spec = loadExperiment(opts.experiment);
      const snapshots = parseSnapshotLines(readText(opts.aggregates, 'aggregates'), opts.aggregates);
      const sim = simulatePolicy(spec, snapshots);
      if (opts.json) {
        for (const w of sim.warnings) out.line(JSON.stringify({ warning: w }));
        for (const d of sim.decisions)
          out.line(
            JSON.stringify({
              action: d.action,
              fromStage: d.fromStage,
              toStage: d.toStage,
              slice: d.slice,
              at: d.at,
              reason: d.reason,
              dryRun: d.dryRun,
              samples: d.samples,
              evidence: d.evidence,
            }),
          );
        return;
      }
      out.line(`${sim.snapshots} snapshots of "${spec.id}" replayed, ${sim.decisions.length} decisions`);
      for (const w of sim.warnings) out.line(`warning: ${w}`);
      if (sim.decisions.length > 0) {
        const cause = (reason: string) => reason.split(' | ')[0] ?? reason;
        out.table(
          ['#', 'at', 'slice', 'action', 'from', 'to', 'samples', 'reason'],
          sim.decisions.map((d, i) => [
            String(i + 1),
            new Date(d.at).toISOString(),
            d.slice,
            `${d.action}${d.dryRun ? ' (dry-run)' : ''}`,
            d.fromStage,
            d.toStage,
            String(d.samples),
            cause(d.reason),
          ]),
        );
        sim.decisions.forEach((d, i) => {
          const e = d.evidence;
          out.line(
            `#${i + 1} evidence: ${e.samples} samples (minimum ${e.minSamples ?? '-'}), gates held ${Math.round(e.bakedMs / 1000)}s (bake ${Math.round((e.bakeMs ?? 0) / 1000)}s)`,
          );
          for (const g of e.gates) out.line(`  ${gateText(g)}`);
        });
      }
      for (const [slice, state] of Object.entries(sim.states))
        out.line(`final ${slice}: ${state.status}, stage ${spec.policy.stages[state.stageIndex]?.name ?? '-'}; ${state.lastVerdict?.summary ?? ''}`);
    });
}
