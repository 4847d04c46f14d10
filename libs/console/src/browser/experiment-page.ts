/// <reference lib="dom" />
// The experiment page: stages, gates with their bounds over time, latency, slices, differences side by side, the audit trail, and the operate form.
import { type Gate, type Json, api, badge, chart, el, list, ms, num, pct, progress, secs, str, table, time } from './dom';

function gateSection(d: Json): HTMLElement {
  const head = list(d['slices']).find((s) => s['slice'] === '*') ?? list(d['slices'])[0];
  const now = list(head?.['gates']) as unknown as Gate[];
  const history = list(d['gateHistory']) as unknown as Gate[];
  const figures = history.map((g) =>
    el(
      'figure',
      { 'data-gate': g.gate },
      chart(
        [
          { name: 'value', cls: 'value', points: (g.points ?? []).map((p) => [p.at, p.value]) },
          { name: 'bound', cls: 'bound', points: (g.points ?? []).map((p) => [p.at, p.bound]) },
        ],
        g.threshold,
        `${g.gate}: value and confidence bound over time against the threshold ${g.threshold}`,
      ),
      el(
        'figcaption',
        {},
        `${g.kind === 'rollback' ? 'trigger' : 'gate'} ${g.gate}: value (blue), the confidence bound the sentinel judged on (orange), threshold ${g.op} ${g.threshold} (dashed)`,
      ),
    ),
  );
  const rows = now.map((g) => [
    el('code', {}, g.gate),
    g.kind === 'rollback' ? 'trigger' : 'gate',
    num(g.value),
    num(g.bound),
    `${g.op} ${g.threshold}`,
    el('span', { class: g.verdict === 'fail' ? 'bad' : g.verdict === 'pass' ? 'good' : 'muted', 'data-verdict': g.verdict }, g.verdict),
  ]);
  return el(
    'section',
    { 'aria-labelledby': 'gates-h', id: 'gates' },
    el('h2', { id: 'gates-h' }, 'Gates and triggers'),
    table(['gate', 'kind', 'value', 'bound', 'threshold', 'verdict'], rows, 'gates', [2, 3]),
    ...figures,
  );
}

let selectedPair: string | undefined;

function diffSection(diffs: Json, refresh: () => void): HTMLElement {
  const endpoints = list(diffs['endpoints']).map((e) =>
    el(
      'div',
      {},
      el('h3', {}, str(e['endpoint'])),
      table(
        ['path', 'pairs', 'share'],
        list(e['paths']).map((p) => [el('code', {}, str(p['path'])), str(p['count']), pct(p['share'])]),
        `differences of ${str(e['endpoint'])}`,
        [1, 2],
      ),
    ),
  );
  const noise = list(diffs['noise']);
  const examples = list(diffs['examples']);
  const pair = examples.find((p) => p['pairId'] === selectedPair) ?? examples[0];
  const side = (which: 'primary' | 'candidate') =>
    el(
      'div',
      { 'data-side': which },
      el('h4', {}, which),
      ...list(pair?.['fields']).map((f) =>
        el('p', {}, el('code', {}, str(f['path'])), ': ', el('mark', { class: `diff-${which}`, 'data-path': str(f['path']) }, f[which] === null ? '∅' : str(f[which]))),
      ),
    );
  const picker = examples.map((p) => {
    const b = el('button', { type: 'button', 'aria-pressed': String(p === pair) }, `${str(p['endpoint'])} ${str(p['pairId']).split(':').pop()?.slice(0, 8) ?? ''}`);
    b.addEventListener('click', () => {
      selectedPair = str(p['pairId']);
      refresh();
    });
    return b;
  });
  return el(
    'section',
    { 'aria-labelledby': 'diffs-h', id: 'diffs' },
    el('h2', { id: 'diffs-h' }, `Differences (${str(diffs['pairs'])} pairs)`),
    endpoints.length === 0 ? el('p', {}, 'No differences left after noise cancellation.') : el('div', {}, ...endpoints),
    el('h3', {}, 'Suppressed as noise'),
    noise.length === 0
      ? el('p', { class: 'muted' }, 'Production did not differ from itself on any path (or no secondary runs).')
      : table(
          ['endpoint', 'path', 'pairs with a secondary', 'candidate differed', 'production differed'],
          noise.map((n) => [str(n['endpoint']), el('code', {}, str(n['path'])), str(n['requests']), str(n['candidateDiffered']), str(n['productionDiffered'])]),
          'noise',
          [2, 3, 4],
        ),
    el('h3', {}, 'Example pair, side by side'),
    pair === undefined
      ? el('p', { class: 'muted' }, 'No example pairs.')
      : el(
          'div',
          {},
          el('div', { role: 'group', 'aria-label': 'example pairs' }, ...picker),
          el('p', { class: 'muted' }, `pair ${str(pair['pairId'])}; the differing fields, highlighted; redacted values stay redacted`),
          el('div', { class: 'side-by-side', id: 'side-by-side' }, side('primary'), side('candidate')),
        ),
  );
}

function auditSection(audit: Json): HTMLElement {
  const chain = (audit['chain'] ?? {}) as Json;
  const ok = chain['ok'] === true;
  const rows = list(audit['timeline']).map((t) => [str(t['seq']), time(t['at']), str(t['actor']), str(t['eventType']), str(t['summary'])]);
  return el(
    'section',
    { 'aria-labelledby': 'audit-h', id: 'audit' },
    el('h2', { id: 'audit-h' }, 'Audit trail'),
    el(
      'p',
      { id: 'chain', class: ok ? 'good' : 'bad', 'data-verified': String(ok) },
      ok ? `hash chain verified (${str(chain['count'])} records)` : `hash chain BROKEN: ${str(chain['firstBroken'])}`,
    ),
    table(['#', 'at', 'actor', 'event', 'what'], rows, 'audit trail', [0]),
  );
}

export function detailView(d: Json, diffs: Json, audit: Json, refresh: () => void): HTMLElement[] {
  const s = (d['summary'] ?? {}) as Json;
  const stages = list(d['stages']).map((st) =>
    el(
      'li',
      st['current'] === true ? { 'aria-current': 'step', class: 'good' } : {},
      `${str(st['name'])} (${str(st['mode'])}, ${str(st['weight'])}%, ${str(st['minSamples'])} samples, bake ${str(st['minDurationSec'])} s)`,
    ),
  );
  const slices = list(d['slices']);
  const progressRows = slices
    .filter((sl) => sl['progress'] !== null || sl['why'] !== null)
    .map((sl) => {
      const p = sl['progress'] as Json | null;
      return el(
        'div',
        { class: 'slice-progress' },
        el('h3', {}, `slice ${str(sl['slice'])}: ${str(sl['status'])} at stage ${str(sl['stage'])}`),
        p ? progress('samples', Number(p['samples']), Number(p['minSamples']), `${str(p['samples'])}/${str(p['minSamples'])}`) : null,
        p ? progress('bake time', Number(p['bakedMs']), Number(p['bakeMs']), `${secs(Number(p['bakedMs']))}/${secs(Number(p['bakeMs']))}`) : null,
        sl['why'] ? el('p', { class: 'why' }, el('strong', {}, 'Why: '), str(sl['why'])) : null,
      );
    });
  const halted = d['halted'] as Json | null;
  return [
    el('h1', {}, str(s['experimentId']), ' ', badge(str(s['decision']))),
    el('p', {}, str(s['description'])),
    halted ? el('p', { class: 'bad', id: 'halted' }, `Halted at ${time(halted['at'])}: ${str(halted['reason'])}`) : el('p', { class: 'muted' }, str(s['summary'])),
    el('section', { 'aria-labelledby': 'stages-h' }, el('h2', { id: 'stages-h' }, 'Stages'), el('ol', {}, ...stages), ...progressRows),
    gateSection(d),
    el(
      'section',
      { 'aria-labelledby': 'lat-h' },
      el('h2', { id: 'lat-h' }, 'Latency'),
      table(
        ['side', 'count', 'p50', 'p90', 'p99'],
        list(d['latency']).map((l) => [str(l['side']), str(l['count']), ms(l['p50']), ms(l['p90']), ms(l['p99'])]),
        'latency',
        [1, 2, 3, 4],
      ),
    ),
    el(
      'section',
      { 'aria-labelledby': 'slices-h' },
      el('h2', { id: 'slices-h' }, 'Slices'),
      table(
        ['slice', 'status', 'stage', 'rollbacks', 'samples', 'match rate'],
        slices.map((sl) => [str(sl['slice']), str(sl['status']), str(sl['stage']), str(sl['rollbacks']), str(sl['samples']), pct(sl['matchRate'])]),
        'slices',
        [3, 4, 5],
      ),
    ),
    diffSection(diffs, refresh),
    auditSection(audit),
  ];
}

export function controlForm(id: string, refresh: () => void): HTMLElement {
  const actions = ['pause', 'resume', 'promote', 'rollback', 'approve', 'kill'];
  const answer = el('div', { id: 'answer', role: 'status', 'aria-live': 'polite' });
  const form = el(
    'form',
    { class: 'control', id: 'control' },
    el('label', {}, 'action', el('select', { name: 'action' }, ...actions.map((a) => el('option', { value: a }, a)))),
    el('label', {}, 'reason (required)', el('input', { name: 'reason', required: 'required', maxlength: '2000' })),
    el('label', {}, 'slice (optional)', el('input', { name: 'slice', placeholder: 'tenant=acme' })),
    el('button', { type: 'submit' }, 'Sign and send'),
  ) as HTMLFormElement;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const body = { action: String(f.get('action')), reason: String(f.get('reason') ?? ''), ...(f.get('slice') ? { slice: String(f.get('slice')) } : {}) };
    answer.replaceChildren(`${body.action}: signed and sent, waiting for the sentinel…`);
    api(`/api/experiments/${encodeURIComponent(id)}/control`, { method: 'POST', body: JSON.stringify(body) }).then(
      (a) => {
        const cmd = a['command'] as Json | null;
        const text =
          a['outcome'] === 'accepted'
            ? `accepted as ${str(a['operator'])}${cmd ? `: command ${str(cmd['action'])} ${str(cmd['from'])} → ${str(cmd['to'])}` : ''}`
            : `${str(a['outcome'])}: ${str(a['reason'])}`;
        answer.replaceChildren(el('p', { class: a['outcome'] === 'accepted' ? 'good' : 'bad', 'data-outcome': str(a['outcome']) }, `${body.action} ${text}`));
        refresh();
      },
      (err: Error) => answer.replaceChildren(el('p', { class: 'bad', 'data-outcome': 'error' }, `${body.action} refused: ${err.message}`)),
    );
  });
  return el(
    'section',
    { 'aria-labelledby': 'op-h' },
    el('h2', { id: 'op-h' }, 'Operate'),
    el('p', { class: 'muted' }, 'Each action is a control request signed by the console with your operator key; the sentinel decides.'),
    form,
    answer,
  );
}
