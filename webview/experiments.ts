// Experiments view entry (webview, DOM only): every run in one table (config keys that differ, probe results,
// margins over random init, final losses; sortable, filterable, selectable → Compare, CSV), groups with mean ± sd,
// a scatter plot of a metric against a swept key, reconstructions side by side under one slider, and sweeps.
import {
  isHostToExperiments, type ExperimentRow, type ExperimentsPanelState, type ExperimentsSnapshot, type ExperimentsToHost, type SweepView,
} from '../src/protocol/experiments';
import { summaryText } from '../src/protocol/summary-text';
import { byId, clear, fillSelect, h } from './dom';
import { cellValue, filterRows, metricText, rowsToCsv, scatterData, sortRows, type ColumnId, type SortState } from './experiments-model';
import { ScatterPlot } from './experiments-scatter';
import { SharedStrips } from './experiments-strips';
import { onThemeChange } from './theme';
import { bridge, reportErrors } from './vscode-api';

interface UiState {
  sort: SortState | null;
  filter: string;
  selected: string[];
  /** null until the view picks a default. */
  groupKey: string | null;
  scatterX: string | null;
  scatterMetric: string | null;
  stripStep: number | null;
}

const vs = bridge<ExperimentsToHost, ExperimentsPanelState>();
const ui: UiState = { sort: null, filter: '', selected: [], groupKey: null, scatterX: null, scatterMetric: null, stripStep: null, ...(vs.getState()?.ui as Partial<UiState> | undefined) };
let snap: ExperimentsSnapshot | null = null;
let seq = 0;
let scatter: ScatterPlot | null = null;

// Named actions: the only places that talk to the host.
const saveUi = (): void => vs.setState({ ui: { ...ui } });
const groupBy = (keys: string[]): void => vs.post({ type: 'group-by', keys });
const compare = (runIds: string[]): void => vs.post({ type: 'compare', runIds });
const openRun = (runId: string): void => vs.post({ type: 'open-run', runId });
const requestStrip = (runId: string, step: number): void => vs.post({ type: 'request-strip', runId, step });
const exportCsv = (csv: string): void => vs.post({ type: 'export-csv', csv });
const cancelSweep = (id: string): void => vs.post({ type: 'cancel-sweep', id });
const resumeSweep = (id: string): void => vs.post({ type: 'resume-sweep', id });

const input = (id: string, value: string, label: string, size = 14): HTMLInputElement => h('input', { type: 'text', id, value, 'aria-label': label, size });

function layout(): void {
  const filter = input('filter', ui.filter, 'filter runs', 30);
  filter.placeholder = 'filter: alignWeight=0 completed …';
  filter.addEventListener('input', () => {
    ui.filter = filter.value;
    saveUi();
    renderRuns();
  });
  const groupSel = h('select', { id: 'group-by', 'aria-label': 'group by' });
  groupSel.addEventListener('change', () => {
    ui.groupKey = groupSel.value;
    saveUi();
    groupBy(groupSel.value ? [groupSel.value] : []);
  });
  const scatterX = h('select', { id: 'scatter-x', 'aria-label': 'x: config key' });
  const scatterMetric = h('select', { id: 'scatter-metric', 'aria-label': 'y: metric' });
  for (const sel of [scatterX, scatterMetric]) {
    sel.addEventListener('change', () => {
      ui.scatterX = scatterX.value;
      ui.scatterMetric = scatterMetric.value;
      saveUi();
      renderScatter();
    });
  }
  const cell = (id: string, title: string, ...body: Node[]): HTMLElement => h('section', { className: 'cell', id, 'aria-label': title }, h('h2', {}, title), ...body);
  byId('app').replaceChildren(
    h('header', { className: 'cell header' }, h('h1', {}, 'Experiments'), h('p', { className: 'muted', id: 'exp-count' })),
    cell('cell-runs', 'Runs',
      h('div', { className: 'toolbar' }, filter,
        h('button', { type: 'button', id: 'compare', onclick: () => compare(visibleSelection()) }, 'Compare selected'),
        h('button', { type: 'button', id: 'export-csv', onclick: () => snap && exportCsv(rowsToCsv(visibleRows(), snap.configKeys, snap.metrics)) }, 'Export CSV'),
        h('span', { className: 'muted', id: 'selection-count' })),
      h('div', { className: 'table-scroll', id: 'runs-table-box' })),
    cell('cell-groups', 'Groups: mean ± sd over seeds (completed runs)',
      h('div', { className: 'toolbar' }, h('label', {}, 'group by ', groupSel)),
      h('div', { className: 'table-scroll', id: 'group-table-box' })),
    cell('cell-scatter', 'Metric against a swept key',
      h('div', { className: 'toolbar' }, h('label', {}, 'x ', scatterX), h('label', {}, 'y ', scatterMetric)),
      h('div', { className: 'chart-box' }, h('canvas', { id: 'scatter', 'aria-label': 'scatter plot' }))),
    cell('cell-strips', 'Reconstructions side by side',
      h('div', { className: 'toolbar' }, h('input', { type: 'range', id: 'shared-step', min: 0, max: 0, value: 0, 'aria-label': 'step of every strip' }), h('span', { id: 'shared-step-label' })),
      h('div', { id: 'strips' })),
    cell('cell-sweeps', 'Sweeps', h('div', { id: 'sweep-list' }), sweepForm()),
  );
}

function sweepForm(): HTMLElement {
  const preset = h('select', { id: 'sweep-preset', 'aria-label': 'preset' });
  const grid = input('sweep-grid', 'loss.alignWeight=0,2', 'grid: key=v1,v2; key=…', 36);
  const seeds = input('sweep-seeds', '0-1', 'seeds', 6);
  const jobs = input('sweep-jobs', '2', 'jobs at a time', 3);
  const probes = input('sweep-probes', 'knn', 'probes', 16);
  const sets = input('sweep-sets', '', 'fixed overrides key=value …', 30);
  const queue = h('button', { type: 'button', id: 'queue-sweep' }, 'Queue sweep');
  queue.addEventListener('click', () => vs.post({
    type: 'queue-sweep',
    request: {
      preset: preset.value, grid: grid.value.split(/[;\n]/).map((s) => s.trim()).filter(Boolean), seeds: seeds.value.trim(),
      jobs: Number(jobs.value), probes: probes.value.trim() || 'none', sets: sets.value.split(/\s+/).filter(Boolean),
    },
  }));
  return h('div', { className: 'toolbar', id: 'sweep-form' },
    h('label', {}, 'preset ', preset), h('label', {}, 'grid ', grid), h('label', {}, 'seeds ', seeds), h('label', {}, 'jobs ', jobs),
    h('label', {}, 'probes ', probes), h('label', {}, 'set ', sets), queue, h('span', { className: 'muted', id: 'sweep-note' }));
}

function visibleRows(): ExperimentRow[] {
  return snap ? sortRows(filterRows(snap.rows, ui.filter), ui.sort) : [];
}

function visibleSelection(): string[] {
  const shown = new Set(visibleRows().map((r) => r.runId));
  return ui.selected.filter((id) => shown.has(id));
}

function columns(s: ExperimentsSnapshot): { id: ColumnId; label: string; num: boolean }[] {
  return [
    { id: 'run', label: 'run', num: false }, { id: 'state', label: 'state', num: false }, { id: 'sweep', label: 'sweep', num: false },
    ...s.configKeys.map((k) => ({ id: `config:${k}` as ColumnId, label: k, num: true })),
    ...s.metrics.filter((m) => s.rows.some((r) => r.metrics[m.id] !== undefined)).map((m) => ({ id: `metric:${m.id}` as ColumnId, label: m.label, num: true })),
  ];
}

function toggleSort(column: ColumnId): void {
  ui.sort = ui.sort?.column === column ? { column, descending: !ui.sort.descending } : { column, descending: column.startsWith('metric:') };
  saveUi();
  renderRuns();
}

function renderRuns(): void {
  if (!snap) return;
  const s = snap;
  const rows = visibleRows();
  const cols = columns(s);
  const selected = new Set(ui.selected);
  const all = h('input', { type: 'checkbox', id: 'select-all', 'aria-label': 'select all shown', checked: rows.length > 0 && rows.every((r) => selected.has(r.runId)) });
  all.addEventListener('change', () => {
    ui.selected = all.checked ? rows.map((r) => r.runId) : [];
    selectionChanged();
  });
  const head = h('tr', {}, h('th', {}, all), ...cols.map((c) => {
    const sorted = ui.sort?.column === c.id;
    return h('th', {
      scope: 'col', className: `sortable${c.num ? ' num' : ''}`, 'data-col': c.id, 'aria-sort': sorted ? (ui.sort?.descending ? 'descending' : 'ascending') : 'none',
      title: 'sort', onclick: () => toggleSort(c.id),
    }, c.label, sorted ? (ui.sort?.descending ? ' ▼' : ' ▲') : '');
  }));
  const metricOf = new Map(s.metrics.map((m) => [m.id, m]));
  const body = rows.map((r) => {
    const box = h('input', { type: 'checkbox', 'aria-label': `select ${r.runId}`, checked: selected.has(r.runId) });
    box.addEventListener('change', () => {
      ui.selected = box.checked ? [...new Set([...ui.selected, r.runId])] : ui.selected.filter((id) => id !== r.runId);
      selectionChanged();
    });
    return h('tr', { 'data-run': r.runId }, h('td', {}, box), ...cols.map((c) => {
      const v = cellValue(r, c.id);
      let text: string;
      if (c.id === 'run') return h('td', { 'data-col': c.id }, h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); openRun(r.runId); } }, r.runId));
      if (c.id === 'state') return h('td', { 'data-col': c.id }, h('span', { className: `badge state-${r.state}` }, r.state === 'running' ? `running ${r.step}/${r.totalSteps}` : r.state));
      if (c.id.startsWith('metric:')) text = metricText(r.metrics[c.id.slice(7)], metricOf.get(c.id.slice(7))!);
      else text = v === null ? '–' : String(c.id.startsWith('config:') ? r.config[c.id.slice(7)] : v);
      return h('td', { 'data-col': c.id, className: c.num ? 'num' : '', 'data-value': v === null ? '' : String(v) }, text);
    }));
  });
  const box = byId('runs-table-box');
  clear(box);
  box.append(h('table', { className: 'data', id: 'runs-table' }, h('thead', {}, head), h('tbody', {}, ...body)));
  box.dataset.rows = String(rows.length);
  byId('exp-count').textContent = `${s.rows.length} runs${rows.length !== s.rows.length ? `, ${rows.length} shown` : ''}`;
  byId('selection-count').textContent = ui.selected.length ? `${visibleSelection().length} selected` : '';
}

function selectionChanged(): void {
  saveUi();
  renderRuns();
  strips.setRuns(visibleRows().filter((r) => ui.selected.includes(r.runId)));
}

function renderGroups(): void {
  if (!snap) return;
  const s = snap;
  const keys = s.configKeys.filter((k) => k !== 'train.seed');
  if (ui.groupKey === null && keys.length) {
    ui.groupKey = keys[0]; // the first swept key, until the user picks another
    saveUi();
    if (s.groupBy.join() !== keys[0]) groupBy([keys[0]]);
  }
  fillSelect(byId<HTMLSelectElement>('group-by'), [{ value: '', label: '(all runs)' }, ...s.configKeys.map((k) => ({ value: k, label: k }))], ui.groupKey ?? '');
  const box = byId('group-table-box');
  clear(box);
  if (!s.groups.length) {
    box.append(h('p', { className: 'muted' }, s.groupBy.length ? 'No completed runs to group.' : 'Pick a config key to group by.'));
    box.dataset.groups = '0';
    return;
  }
  const head = h('tr', {}, ...s.groupBy.map((k) => h('th', { scope: 'col' }, k)), h('th', { scope: 'col', className: 'num' }, 'n'), ...s.metrics.map((m) => h('th', { scope: 'col', className: 'num' }, m.label)));
  const body = s.groups.map((g) => h('tr', { 'data-group': s.groupBy.map((k) => `${k}=${g.group[k]}`).join(' '), 'data-n': g.runs.length, title: g.runs.join('\n') },
    ...s.groupBy.map((k) => h('td', {}, g.group[k])), h('td', { className: 'num' }, String(g.runs.length)),
    ...s.metrics.map((m) => h('td', { className: 'num', 'data-col': m.id }, summaryText(g.metrics[m.id] ?? null, m, g.runs.length)))));
  box.append(h('table', { className: 'data', id: 'group-table' }, h('thead', {}, head), h('tbody', {}, ...body)));
  box.dataset.groups = String(s.groups.length);
}

function renderScatter(): void {
  if (!snap) return;
  const s = snap;
  const xs = s.configKeys.filter((k) => k !== 'train.seed');
  const ys = s.metrics.filter((m) => s.rows.some((r) => r.metrics[m.id] !== undefined));
  const xSel = byId<HTMLSelectElement>('scatter-x');
  const ySel = byId<HTMLSelectElement>('scatter-metric');
  fillSelect(xSel, (xs.length ? xs : s.configKeys).map((k) => ({ value: k, label: k })), ui.scatterX ?? undefined);
  fillSelect(ySel, ys.map((m) => ({ value: m.id, label: m.label })), ui.scatterMetric ?? ys.find((m) => m.id.endsWith('.top1'))?.id);
  scatter ??= new ScatterPlot(byId<HTMLCanvasElement>('scatter'));
  if (!xSel.value || !ySel.value) return;
  const metric = ys.find((m) => m.id === ySel.value);
  const completed = s.rows.filter((r) => r.state === 'completed'); // as the groups: what a finished run measured
  scatter.draw(scatterData(completed, xSel.value, ySel.value), xSel.value, metric?.label ?? ySel.value);
}

function sweepRow(v: SweepView, canRun: boolean): HTMLElement {
  return h('tr', { 'data-sweep': v.id, 'data-state': v.state },
    h('td', {}, v.id), h('td', {}, h('span', { className: `badge state-${v.state}` }, v.state)),
    h('td', { className: 'num' }, `${v.trained}/${v.runs} trained`), h('td', { className: 'num' }, `${v.probed} probed`),
    h('td', {},
      v.cancellable ? h('button', { type: 'button', className: 'cancel-sweep', onclick: () => cancelSweep(v.id) }, 'Cancel') : null,
      v.resumable && canRun ? h('button', { type: 'button', className: 'resume-sweep', onclick: () => resumeSweep(v.id) }, 'Resume') : null));
}

function renderSweeps(): void {
  if (!snap) return;
  const s = snap;
  const list = byId('sweep-list');
  clear(list);
  list.append(s.sweeps.length
    ? h('table', { className: 'data', id: 'sweep-table' }, h('tbody', {}, ...s.sweeps.map((v) => sweepRow(v, s.canRun))))
    : h('p', { className: 'muted' }, 'No sweeps yet. Queue one below, or run `mim-lab sweep` in a terminal.'));
  fillSelect(byId<HTMLSelectElement>('sweep-preset'), s.presets.map((p) => ({ value: p, label: p })), byId<HTMLSelectElement>('sweep-preset').value || 'cae-tiny');
  byId<HTMLButtonElement>('queue-sweep').disabled = !s.canRun;
  byId('sweep-note').textContent = s.canRun ? '' : 'Sweeps are disabled in an untrusted workspace.';
}

layout();
const strips = new SharedStrips(ui, requestStrip, saveUi);
reportErrors((m) => vs.post(m));
onThemeChange(() => renderScatter());

window.addEventListener('message', (event: MessageEvent) => {
  const msg: unknown = event.data;
  if (!isHostToExperiments(msg)) return;
  if (msg.type === 'strip') {
    strips.receive(msg.runId, msg.step, msg.strip);
    return;
  }
  if (msg.seq <= seq) return;
  seq = msg.seq;
  snap = msg.snapshot;
  const known = new Set(snap.rows.map((r) => r.runId));
  ui.selected = ui.selected.filter((id) => known.has(id));
  renderRuns();
  renderGroups();
  renderScatter();
  renderSweeps();
  strips.setRuns(visibleRows().filter((r) => ui.selected.includes(r.runId)));
  document.body.dataset.ready = '1';
  document.body.dataset.seq = String(seq);
});

vs.post({ type: 'ready' });
