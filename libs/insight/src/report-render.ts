import { type ReportData } from './report-data';
import { latencyChart, matchRateChart } from './report-svg';
import { excessText, verdictSummary } from './path-verdicts-view';

const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(2)}%`);
const ms = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(1)} ms`);
const iso = (t: number) => new Date(t).toISOString();
const VERDICT: Record<ReportData['verdict']['decision'], string> = { promoted: 'PROMOTED', rolled_back: 'ROLLED BACK', killed: 'KILLED', in_progress: 'IN PROGRESS' };

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdown(r: ReportData): string {
  const lines = [
    `# Shadow validation report: ${r.experimentId}`,
    '',
    r.description ? `${r.description}\n` : '',
    `**Verdict: ${VERDICT[r.verdict.decision]}** (stage ${r.verdict.stage}): ${r.verdict.summary}`,
    '',
    `Generated ${iso(r.generatedAt)} over ${iso(r.range.from)} to ${iso(r.range.to)}.`,
    '',
    '## Evidence',
    '',
    '| pairs | match rate | mismatches | candidate errors | primary errors | status mismatches | timeouts |',
    '|---|---|---|---|---|---|---|',
    `| ${r.counts.pairs} | ${pct(r.matchRate)} | ${r.counts.mismatch} | ${r.counts.candidateErrors} | ${r.counts.primaryErrors} | ${r.counts.statusMismatches} | ${r.counts.timeouts} |`,
    '',
    '## Latency',
    '',
    '| side | samples | p50 | p90 | p99 |',
    '|---|---|---|---|---|',
    ...r.latency.map((l) => `| ${l.side} | ${l.count} | ${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} |`),
    '',
    '## Top differences',
    '',
    ...(r.topDifferences.length === 0
      ? ['No differences left after the ignore rules and noise cancellation.']
      : [
          '| endpoint | path | pairs | example (primary → candidate) |',
          '|---|---|---|---|',
          ...r.topDifferences.map((d) => `| ${mdCell(d.endpoint)} | \`${mdCell(d.path)}\` | ${d.count} | ${mdCell(exampleText(d.examples[0]))} |`),
        ]),
    '',
    ...verdictLines(r),
    '## Decisions',
    '',
    ...(r.decisions.length === 0
      ? ['None yet.']
      : [
          '| at | action | from → to | slice | by | reason |',
          '|---|---|---|---|---|---|',
          ...r.decisions.map(
            (d) => `| ${iso(d.at)} | ${d.action}${d.dryRun ? ' (dry-run)' : ''} | ${d.from} → ${d.to} | ${mdCell(d.slice)} | ${mdCell(d.actor)} | ${mdCell(d.reason)} |`,
          ),
        ]),
    '',
    '## Audit trail',
    '',
    `${r.audit.records} records; hash chain ${r.audit.verified === null ? 'not checked' : r.audit.verified ? 'verified' : 'BROKEN'}.`,
    '',
    ...r.audit.timeline.map((t) => `- #${t.seq} ${iso(t.at)} ${t.actor} ${t.eventType}: ${t.summary}`),
    '',
  ];
  return lines.join('\n');
}

/** The judged paths that matter to a reader: regressions and undecided ones, with the line that sums them all up. */
function notableVerdicts(r: ReportData) {
  return (r.pathVerdicts?.verdicts ?? []).filter((v) => v.verdict !== 'noise').slice(0, 20);
}

function verdictLines(r: ReportData): string[] {
  if (!r.pathVerdicts) return [];
  const rows = notableVerdicts(r).map((v) => `| ${mdCell(v.endpoint)} | \`${mdCell(v.path)}\` | ${v.verdict} | ${excessText(v.excess)} |`);
  return [
    '## Per-path verdicts',
    '',
    verdictSummary(r.pathVerdicts),
    '',
    ...(rows.length === 0 ? [] : ['| endpoint | path | verdict | excess [bounds] |', '|---|---|---|---|', ...rows, '']),
    '',
  ];
}

function verdictHtml(r: ReportData): string {
  if (!r.pathVerdicts) return '';
  const rows = notableVerdicts(r).map((v) => row([esc(v.endpoint), `<code>${esc(v.path)}</code>`, v.verdict, esc(excessText(v.excess))]));
  return `<h2>Per-path verdicts</h2>\n<p>${esc(verdictSummary(r.pathVerdicts))}</p>\n${rows.length === 0 ? '' : `<table>${head(['endpoint', 'path', 'verdict', 'excess [bounds]'])}${rows.join('')}</table>`}\n`;
}

function exampleText(e: ReportData['topDifferences'][number]['examples'][number] | undefined): string {
  if (e === undefined) return '-';
  return e.primary === undefined && e.candidate === undefined ? e.pairId : `${e.primary ?? '∅'} → ${e.candidate ?? '∅'} (${e.pairId})`;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = `body{font:14px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1d2330}
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #dde;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #dde;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f3f5f9}code{background:#f3f5f9;padding:0 .2em}.verdict{font-size:1.3em;padding:.6em 1em;border-radius:6px;display:inline-block}
.promoted{background:#e3f6e8;color:#11642e}.rolled_back,.killed{background:#fde8e8;color:#8a1c1c}.in_progress{background:#eef1f7}
.charts{display:flex;gap:1em;flex-wrap:wrap}.muted{color:#667}`;

const row = (cells: string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
const head = (cells: string[]) => `<tr>${cells.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;

/** A self-contained page: inline style and SVG charts, no scripts, nothing fetched. */
export function renderHtml(r: ReportData): string {
  const diffs = r.topDifferences.map((d) => row([esc(d.endpoint), `<code>${esc(d.path)}</code>`, String(d.count), esc(exampleText(d.examples[0]))]));
  const decisions = r.decisions.map((d) =>
    row([iso(d.at), esc(`${d.action}${d.dryRun ? ' (dry-run)' : ''}`), esc(`${d.from} → ${d.to}`), esc(d.slice), esc(d.actor), esc(d.reason)]),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Penumbra report: ${esc(r.experimentId)}</title><style>${STYLE}</style></head>
<body>
<h1>Shadow validation report: ${esc(r.experimentId)}</h1>
${r.description ? `<p>${esc(r.description)}</p>` : ''}
<p class="verdict ${r.verdict.decision}">${VERDICT[r.verdict.decision]} <span class="muted">(stage ${esc(r.verdict.stage)})</span></p>
<p>${esc(r.verdict.summary)}</p>
<p class="muted">Generated ${iso(r.generatedAt)} over ${iso(r.range.from)} to ${iso(r.range.to)}.</p>
<h2>Evidence</h2>
<table>${head(['pairs', 'match rate', 'mismatches', 'candidate errors', 'primary errors', 'status mismatches', 'timeouts'])}${row([String(r.counts.pairs), pct(r.matchRate), String(r.counts.mismatch), String(r.counts.candidateErrors), String(r.counts.primaryErrors), String(r.counts.statusMismatches), String(r.counts.timeouts)])}</table>
<div class="charts">${matchRateChart(r.series)}${latencyChart(r.latency)}</div>
<h2>Latency</h2>
<table>${head(['side', 'samples', 'p50', 'p90', 'p99'])}${r.latency.map((l) => row([l.side, String(l.count), ms(l.p50), ms(l.p90), ms(l.p99)])).join('')}</table>
<h2>Top differences</h2>
${diffs.length === 0 ? '<p>No differences left after the ignore rules and noise cancellation.</p>' : `<table>${head(['endpoint', 'path', 'pairs', 'example (primary → candidate)'])}${diffs.join('')}</table>`}
${verdictHtml(r)}<h2>Decisions</h2>
${decisions.length === 0 ? '<p>None yet.</p>' : `<table>${head(['at', 'action', 'from → to', 'slice', 'by', 'reason'])}${decisions.join('')}</table>`}
<h2>Audit trail</h2>
<p>${r.audit.records} records; hash chain ${r.audit.verified === null ? 'not checked' : r.audit.verified ? 'verified' : '<strong>BROKEN</strong>'}.</p>
<table>${head(['seq', 'at', 'actor', 'event', 'what'])}${r.audit.timeline.map((t) => row([String(t.seq), iso(t.at), esc(t.actor), esc(t.eventType), esc(t.summary)])).join('')}</table>
</body></html>
`;
}
