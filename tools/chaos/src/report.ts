import { type ChaosResult } from './chaos-result';
import { type CaseResult } from './ledger';

export const MIN_COVERAGE = 0.99;

export type CheckName = 'faults' | 'fleet' | 'probes' | 'no-silent-drops' | 'caught-up' | 'decision' | 'coverage' | 'aggregates' | 'audit';

export interface Check {
  name: CheckName;
  ok: boolean;
  detail: string;
}

const HOSTILE_OK = new Set<CaseResult['outcome']>(['dead-lettered', 'audited as invalid', 'processed', 'refused by the broker']);

const list = (cases: CaseResult[]) =>
  cases
    .slice(0, 8)
    .map((c) => `${c.topic}/${c.kind}${c.probe ? ' probe' : ''}: ${c.outcome}${c.lagging.length ? ` (not committed by ${c.lagging.join(', ')})` : ''}`)
    .join('; ') + (cases.length > 8 ? `; and ${cases.length - 8} more` : '');

const skipReasons = (skipped: Record<string, number> = {}) => {
  const listed = Object.entries(skipped).filter(([, n]) => n > 0);
  return listed.length === 0 ? '' : `; the mirror skipped ${listed.map(([reason, n]) => `${n} as ${reason}`).join(', ')}`;
};

/** The suite's verdicts, from what the run gathered. */
export function evaluate(r: ChaosResult): Check[] {
  const probes = r.cases.filter((c) => c.probe);
  const hostile = r.cases.filter((c) => !c.probe);
  const unprocessed = probes.filter((c) => c.outcome !== 'processed');
  const bad = hostile.filter((c) => !HOSTILE_OK.has(c.outcome));
  const silent = hostile.filter((c) => c.outcome === 'SILENT DROP');
  const coverage = r.coverage.captured === 0 ? 0 : r.coverage.mirrored / r.coverage.captured;
  const failedFaults = r.faults.filter((f) => !f.ok);
  return [
    {
      name: 'faults',
      ok: failedFaults.length === 0 && r.faults.length > 0,
      detail:
        failedFaults.length === 0
          ? `${r.faults.length} faults injected and recovered from${r.faults.some((f) => f.skipped) ? ` (not injected: ${r.faults.filter((f) => f.skipped).map((f) => `${f.fault}: ${f.skipped}`)})` : ''}`
          : failedFaults.map((f) => `${f.fault}: ${f.outcome}`).join('; '),
    },
    { name: 'fleet', ok: r.fleet.ready, detail: r.fleet.detail },
    { name: 'probes', ok: probes.length > 0 && unprocessed.length === 0, detail: unprocessed.length === 0 ? `${probes.length} probes processed` : list(unprocessed) },
    {
      name: 'no-silent-drops',
      ok: hostile.length > 0 && bad.length === 0,
      detail:
        bad.length === 0
          ? `${hostile.length} hostile records: ${hostile.filter((c) => c.outcome === 'dead-lettered').length} dead-lettered with a reason, ${hostile.filter((c) => c.outcome === 'audited as invalid').length} audited as invalid with a reason, ${hostile.filter((c) => c.outcome === 'processed').length} processed safely, ${hostile.filter((c) => c.outcome === 'refused by the broker').length} refused by the broker; 0 silent drops`
          : `${silent.length} silent drops; ${list(bad)}`,
    },
    { name: 'caught-up', ok: r.lagging.length === 0, detail: r.lagging.length === 0 ? 'every consumer group committed every attacked topic to its end' : r.lagging.join('; ') },
    { name: 'decision', ok: r.decision === r.expectedDecision, detail: `${r.decision} (expected ${r.expectedDecision})` },
    {
      name: 'coverage',
      ok: coverage >= MIN_COVERAGE,
      detail: `${r.coverage.mirrored} of ${r.coverage.captured} captured requests mirrored (${(100 * coverage).toFixed(2)}%, at least ${100 * MIN_COVERAGE}% required; pairs on the pairs topic ÷ captured records on the traffic topic)${skipReasons(r.coverage.skipped)}`,
    },
    {
      name: 'aggregates',
      ok: r.aggregates.counted === r.aggregates.distinctPairs && r.aggregates.distinctPairs > 0,
      detail: `aggregated ${r.aggregates.counted} pairs, ${r.aggregates.distinctPairs} distinct pair ids`,
    },
    {
      name: 'audit',
      ok: r.audit.ok,
      detail: `penumbra audit verify ${r.experimentId}: ${r.audit.ok ? 'chain verified' : 'FAILED'}${r.audit.detail ? ` (${r.audit.detail})` : ''}`,
    },
  ];
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.min(70, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const last = header.length - 1;
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === last ? c : c.length > (widths[i] ?? 0) ? `${c.slice(0, (widths[i] ?? 1) - 1)}…` : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/** The printed report: per fault, per hostile input (with its probe), and the checks. */
export function renderReport(r: ChaosResult, checks: Check[]): string[] {
  const probeOf = new Map(r.cases.filter((c) => c.probe).map((c) => [c.caseId.replace(/^probe-/, ''), c]));
  const hostileRows = r.cases
    .filter((c) => !c.probe)
    .map((c) => {
      const probe = probeOf.get(c.caseId.replace(/-\d$/, ''));
      return [c.topic, c.kind, c.outcome, String(c.deadLetters), c.reasons[0] ?? '', probe ? (probe.outcome === 'processed' ? 'yes' : `NO (${probe.outcome})`) : '?'];
    });
  return [
    `chaos: ${r.experimentId} (topics ${r.topicPrefix}*, keys ${r.keyPrefix}*), ${r.seconds} s`,
    '',
    ...table(
      ['fault', 'outcome'],
      r.faults.map((f) => [f.fault, f.skipped ? `not injected: ${f.skipped}` : f.outcome]),
    ),
    '',
    ...table(['topic', 'hostile input', 'outcome', 'dead letters', 'reason', 'probe processed'], hostileRows),
    '',
    ...table(
      ['check', 'result', 'detail'],
      checks.map((c) => [c.name, c.ok ? 'pass' : 'FAIL', c.detail]),
    ),
  ];
}
