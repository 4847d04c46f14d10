/// <reference lib="dom" />
// The console in the browser: the experiments page or an experiment's page, refreshed when the server's event stream says something changed.
import { api, badge, el, list, pct, sparkline, str, table } from './dom';
import { controlForm, detailView } from './experiment-page';

const MIN_REFRESH_MS = 2000;

async function renderList(app: HTMLElement): Promise<void> {
  const data = await api('/api/experiments');
  const rows = list(data['experiments']).map((e) => [
    el('a', { href: `/experiments/${encodeURIComponent(str(e['experimentId']))}` }, str(e['experimentId'])),
    `${str(e['stage'])} (${str(e['mode'])})`,
    badge(str(e['decision'])),
    str(e['samples']),
    pct(e['matchRate']),
    sparkline(Array.isArray(e['sparkline']) ? (e['sparkline'] as Array<number | null>) : []),
  ]);
  app.replaceChildren(
    el('h1', {}, 'Experiments'),
    rows.length === 0
      ? el('p', {}, 'No experiments yet: apply one with penumbra experiment apply.')
      : table(['experiment', 'stage', 'decision', 'samples', 'match rate', 'recent match rate'], rows, 'experiments', [3, 4]),
  );
}

const route = () => {
  const m = /^\/experiments\/([^/]+)$/.exec(location.pathname);
  return m?.[1] === undefined ? undefined : decodeURIComponent(m[1]);
};
let running = false;
let pending = false;
let lastRefresh = 0;

async function refresh(): Promise<void> {
  if (running) return void (pending = true);
  running = true;
  lastRefresh = Date.now();
  const app = document.getElementById('app') as HTMLElement;
  try {
    const id = route();
    if (id === undefined) await renderList(app);
    else {
      const base = `/api/experiments/${encodeURIComponent(id)}`;
      const [d, diffs, audit] = await Promise.all([api(base), api(`${base}/diffs`), api(`${base}/audit`)]);
      let data = document.getElementById('data');
      if (data === null) {
        data = el('div', { id: 'data' });
        app.replaceChildren(
          data,
          controlForm(id, () => void refresh()),
        );
      }
      data.replaceChildren(...detailView(d, diffs, audit, () => void refresh()));
    }
  } catch (err) {
    app.prepend(el('p', { class: 'bad', role: 'alert' }, `Could not load: ${(err as Error).message}`));
  } finally {
    running = false;
    if (pending) {
      pending = false;
      schedule();
    }
  }
}

let timer: number | undefined;
/** At most one refresh per MIN_REFRESH_MS, however often the server says something changed. */
function schedule(): void {
  if (timer !== undefined) return;
  timer = window.setTimeout(
    () => {
      timer = undefined;
      void refresh();
    },
    Math.max(0, MIN_REFRESH_MS - (Date.now() - lastRefresh)),
  );
}

function start(): void {
  void api('/api/me').then((me) => document.getElementById('me')?.replaceChildren(`${str(me['name'])} (operator ${str(me['operator'])})`));
  const live = document.getElementById('live');
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => live?.replaceChildren('live'));
  events.addEventListener('error', () => live?.replaceChildren('reconnecting…'));
  events.addEventListener('changed', (ev) => {
    const ids = (JSON.parse((ev as MessageEvent<string>).data) as { ids: string[] }).ids;
    const id = route();
    if (id === undefined || ids.includes(id)) schedule();
  });
  void refresh();
}

document.addEventListener('DOMContentLoaded', start);
