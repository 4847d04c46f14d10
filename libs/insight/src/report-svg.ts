import { type LatencyRow, type ReportData } from './report-data';

const W = 520;
const H = 220;
const PAD = { left: 48, right: 12, top: 28, bottom: 30 };

const frame = (title: string, body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}"><rect width="${W}" height="${H}" fill="#fff" stroke="#dde"/><text x="${PAD.left}" y="18" font-size="13" font-family="system-ui,sans-serif" fill="#1d2330">${title}</text>${body}</svg>`;

const label = (x: number, y: number, text: string, anchor = 'end') =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="10" font-family="system-ui,sans-serif" fill="#667" text-anchor="${anchor}">${text}</text>`;

/** Match rate per window as a line, on a 0-100% axis. */
export function matchRateChart(series: ReportData['series']): string {
  const points = series.filter((s) => s.matchRate !== null);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (rate: number) => PAD.top + (1 - rate) * plotH;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((r) => `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(r).toFixed(1)}" y2="${y(r).toFixed(1)}" stroke="#eef"/>${label(PAD.left - 4, y(r) + 3, `${r * 100}%`)}`)
    .join('');
  if (points.length === 0) return frame('Match rate over time', `${grid}${label(W / 2, H / 2, 'no windows yet', 'middle')}`);
  const first = points[0]?.start ?? 0;
  const last = points[points.length - 1]?.start ?? first;
  const x = (t: number) => PAD.left + (last === first ? plotW / 2 : ((t - first) / (last - first)) * plotW);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.start).toFixed(1)},${y(p.matchRate ?? 0).toFixed(1)}`).join(' ');
  const dots = points.map((p) => `<circle cx="${x(p.start).toFixed(1)}" cy="${y(p.matchRate ?? 0).toFixed(1)}" r="2" fill="#2b6cb0"/>`).join('');
  const span = `${Math.round((last - first) / 1000)} s`;
  return frame(
    'Match rate over time',
    `${grid}<path d="${path}" fill="none" stroke="#2b6cb0" stroke-width="2"/>${dots}${label(PAD.left, H - 10, '0 s', 'start')}${label(W - PAD.right, H - 10, span)}`,
  );
}

const SIDE_COLOR: Record<LatencyRow['side'], string> = { primary: '#718096', secondary: '#a0aec0', candidate: '#dd6b20' };

/** p50, p90 and p99 per side as grouped bars. */
export function latencyChart(rows: readonly LatencyRow[]): string {
  const quantiles = ['p50', 'p90', 'p99'] as const;
  const max = Math.max(1, ...rows.flatMap((r) => quantiles.map((q) => r[q] ?? 0)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const group = plotW / quantiles.length;
  const bar = Math.min(36, (group - 16) / Math.max(1, rows.length));
  const bars = quantiles
    .map((q, gi) => {
      const x0 = PAD.left + gi * group + (group - bar * rows.length) / 2;
      const cols = rows
        .map((r, ri) => {
          const v = r[q] ?? 0;
          const h = (v / max) * plotH;
          return `<rect x="${(x0 + ri * bar).toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${(bar - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${SIDE_COLOR[r.side]}"><title>${r.side} ${q}: ${v.toFixed(1)} ms</title></rect>`;
        })
        .join('');
      return `${cols}${label(PAD.left + gi * group + group / 2, H - 10, q, 'middle')}`;
    })
    .join('');
  const legend = rows
    .map((r, i) => `<rect x="${W - 150}" y="${30 + i * 14}" width="10" height="10" fill="${SIDE_COLOR[r.side]}"/>${label(W - 136, 39 + i * 14, r.side, 'start')}`)
    .join('');
  return frame('Latency quantiles per side (ms)', `${bars}${legend}${label(PAD.left - 4, PAD.top + 6, `${max.toFixed(0)}`)}${label(PAD.left - 4, PAD.top + plotH, '0')}`);
}
