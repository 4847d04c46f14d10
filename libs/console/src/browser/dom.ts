/// <reference lib="dom" />
// Helpers of the console's pages. Data from /api is untrusted: it is set as text (textContent,
// attributes), never parsed as HTML.

export type Json = Record<string, unknown>;
export type Child = Node | string | null | undefined | false;
export interface GatePoint {
  at: number;
  value: number | null;
  bound: number | null;
  verdict: string;
}
export interface Gate {
  gate: string;
  kind: string;
  op: string;
  threshold: number;
  value?: number | null;
  bound?: number | null;
  verdict: string;
  points?: GatePoint[];
}

export const SVG = 'http://www.w3.org/2000/svg';

export function el(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

export function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

export const pct = (v: unknown) => (typeof v === 'number' ? `${(100 * v).toFixed(2)}%` : 'n/a');
export const num = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : 'n/a');
export const ms = (v: unknown) => (typeof v === 'number' ? `${v.toFixed(1)} ms` : '-');
export const secs = (v: number) => `${Math.round(v / 1000)} s`;
export const time = (v: unknown) => (typeof v === 'number' ? new Date(v).toISOString().replace('T', ' ').slice(0, 19) : '-');
export const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
export const str = (v: unknown) => (v === null || v === undefined ? '-' : String(v));

export function table(head: string[], rows: Child[][], label: string, numeric: number[] = []): HTMLElement {
  const th = head.map((h, i) => el('th', { scope: 'col', ...(numeric.includes(i) ? { class: 'num' } : {}) }, h));
  const tr = rows.map((r) => el('tr', {}, ...r.map((c, i) => el('td', numeric.includes(i) ? { class: 'num' } : {}, c))));
  return el('table', { 'aria-label': label }, el('thead', {}, el('tr', {}, ...th)), el('tbody', {}, ...tr));
}

export async function api(path: string, init?: RequestInit): Promise<Json> {
  const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json', 'content-type': 'application/json' }, ...init });
  const body = (await res.json().catch(() => ({}))) as Json;
  if (!res.ok) throw new Error(str(body['message'] ?? res.statusText));
  return body;
}

/** A line chart of series over time, with an optional horizontal threshold. */
export function chart(series: Array<{ name: string; cls: string; points: Array<[number, number | null]> }>, threshold: number | null, label: string, w = 520, h = 160): SVGElement {
  const all = series.flatMap((s) => s.points.filter((p): p is [number, number] => p[1] !== null));
  const xs = all.map((p) => p[0]);
  const ys = [...all.map((p) => p[1]), ...(threshold === null ? [] : [threshold])];
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const pad = (y1 - y0) * 0.1 || 0.05;
  const sx = (x: number) => 40 + ((x - x0) / (x1 - x0 || 1)) * (w - 50);
  const sy = (y: number) => h - 20 - ((y - (y0 - pad)) / (y1 - y0 + 2 * pad || 1)) * (h - 30);
  const root = svg('svg', { class: 'chart', viewBox: `0 0 ${w} ${h}`, width: w, height: h, role: 'img', 'aria-label': label });
  root.append(svg('rect', { x: 40, y: 0, width: w - 50, height: h - 20, fill: '#fafafa', stroke: '#c8c8c8' }));
  for (const y of [y0 - pad, y1 + pad]) {
    const t = svg('text', { x: 2, y: sy(y) + 4 });
    t.textContent = y.toFixed(3);
    root.append(t);
  }
  if (threshold !== null) root.append(svg('line', { x1: 40, x2: w - 10, y1: sy(threshold), y2: sy(threshold), stroke: '#a40000', 'stroke-dasharray': '5 3' }));
  const colors: Record<string, string> = { value: '#0b4f9c', bound: '#d35400', rate: '#0b4f9c' };
  for (const s of series) {
    const pts = s.points.filter((p): p is [number, number] => p[1] !== null).map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
    if (pts.length > 0) root.append(svg('polyline', { points: pts.join(' '), fill: 'none', stroke: colors[s.cls] ?? '#333', 'stroke-width': 2, class: `series-${s.cls}` }));
  }
  return root;
}

export function sparkline(values: Array<number | null>): Node {
  if (values.every((v) => v === null)) return document.createTextNode('-');
  return chart([{ name: 'match rate', cls: 'rate', points: values.map((v, i) => [i, v]) }], null, 'match rate per window', 140, 34);
}

export function badge(decision: string): HTMLElement {
  const cls = decision === 'promoted' ? 'good' : decision === 'deciding' ? 'muted' : 'bad';
  return el('span', { class: `badge ${cls}`, 'data-decision': decision }, decision);
}

export function progress(label: string, done: number, total: number, text: string): HTMLElement {
  return el('div', {}, el('label', {}, `${label} `, el('progress', { class: 'progress', max: String(Math.max(total, 1)), value: String(Math.min(done, total)) }), ` ${text}`));
}
