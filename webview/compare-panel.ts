// Compare panel entry (webview, DOM only): the selected runs' curves overlaid for one metric, a probe table,
// and the config values that differ between them.
import type { ProbeKind } from '../src/protocol/run-files';
import { isHostToComparePanel, type CompareRun, type ComparePanelState, type ComparePanelToHost } from '../src/protocol/webview';
import { LineChart, type SeriesSpec } from './chart';
import { bestScoreIndex, otherHeadText, probeKindLabel } from '../src/protocol/probe-scores';
import { byId, clear, fillSelect, h } from './dom';
import { scoreCell, type ScoreContext } from './probe-score';
import { onThemeChange, type ChartColor } from './theme';
import { bridge, reportErrors } from './vscode-api';

const vs = bridge<ComparePanelToHost, ComparePanelState>();
const PALETTE: ChartColor[] = ['blue', 'orange', 'green', 'red', 'purple', 'yellow'];
const METRICS = ['loss', 'loss_main', 'loss_align', 'latent_std', 'lr', 'imgs_per_s'] as const;
type Metric = (typeof METRICS)[number];

let runs: CompareRun[] = [];
let metric: Metric = 'loss_main';
let logY = false;
let smoothing = 0.6;
let chart: LineChart | null = null;
let seq = 0;

const openRun = (runId: string): void => vs.post({ type: 'open-run', runId });

function layout(): void {
  const metricSel = h('select', { id: 'metric', 'aria-label': 'metric' });
  fillSelect(metricSel, METRICS.map((m) => ({ value: m, label: m })), metric);
  metricSel.addEventListener('change', () => {
    metric = metricSel.value as Metric;
    drawChart();
  });
  const log = h('input', { type: 'checkbox', id: 'log-y' });
  log.addEventListener('change', () => {
    logY = log.checked;
    chart?.setLog(logY);
  });
  const smooth = h('input', { type: 'range', id: 'smoothing', min: 0, max: 0.99, step: 0.01, value: smoothing, 'aria-label': 'smoothing' });
  smooth.addEventListener('input', () => {
    smoothing = Number(smooth.value);
    chart?.setSmoothing(smoothing);
  });
  byId('app').replaceChildren(
    h('header', { className: 'cell header' }, h('h1', {}, 'Compare runs'), h('p', { className: 'muted', id: 'run-count' })),
    h('section', { className: 'cell', id: 'cell-curves' }, h('h2', {}, 'Curves'),
      h('div', { className: 'toolbar' }, h('label', {}, 'metric ', metricSel), h('label', {}, log, ' log scale'), h('label', {}, 'smoothing ', smooth),
        h('button', { type: 'button', onclick: () => chart?.resetZoom() }, 'Reset zoom')),
      h('div', { className: 'chart-box' }, h('canvas', { id: 'compare-chart', 'aria-label': 'overlaid curves' }))),
    h('section', { className: 'cell', id: 'cell-probes' }, h('h2', {}, 'Probes (best pretrained top-1 per kind, beside chance and the random-init floor)'), h('div', { id: 'probe-table-box' })),
    h('section', { className: 'cell', id: 'cell-config' }, h('h2', {}, 'Config'), h('div', { id: 'config-table-box' })),
  );
}

function drawChart(): void {
  chart?.destroy();
  const series: SeriesSpec[] = runs.map((r, i) => ({ id: r.runId, label: `${r.runId} (${r.algorithm})`, color: PALETTE[i % PALETTE.length], exact: metric === 'lr' }));
  chart = new LineChart(byId<HTMLCanvasElement>('compare-chart'), series, { yLabel: metric, logY, smoothing });
  // Runs log different steps, so each run is appended on its own x values.
  for (const r of runs) chart.append(r.metrics.step, { [r.runId]: r.metrics[metric] });
  byId('compare-chart').dataset.series = String(runs.filter((r) => r.metrics.step.length > 0).length);
}

/** A run's best pretrained probe of a kind, with its class count (for the chance level) and its head's text when not CAE's. */
function bestProbe(r: CompareRun, kind: ProbeKind): { top1: number | null; numClasses: number | null; head: string | null } {
  const done = r.probes.filter((p) => p.kind === kind && p.state === 'done' && p.top1 !== null && !p.randomInit && !p.pixels);
  const best = done.sort((a, b) => (b.top1 ?? 0) - (a.top1 ?? 0))[0];
  return { top1: best?.top1 ?? null, numClasses: best?.numClasses ?? null, head: otherHeadText(best?.head) };
}

/** The score cell, with a head other than CAE's named in it (scores of different heads are not one probe). */
function probeCell(s: ReturnType<typeof bestProbe>, ctx: ScoreContext, kind: ProbeKind): HTMLTableCellElement {
  const cell = scoreCell(s.top1, ctx, { 'data-kind': kind });
  if (s.head) cell.append(h('span', { className: 'muted probe-head' }, ` (${s.head})`));
  return cell;
}

function renderTables(): void {
  const kinds: ProbeKind[] = ['linear', 'attentive', 'knn'];
  const scores = Object.fromEntries(kinds.map((k) => [k, runs.map((r) => bestProbe(r, k))])) as Record<ProbeKind, ReturnType<typeof bestProbe>[]>;
  // Never "best" at or below chance: a score that guessing matches is no result.
  const best = Object.fromEntries(kinds.map((k) => [k, bestScoreIndex(scores[k])])) as Record<ProbeKind, number>;
  const probeBox = byId('probe-table-box');
  clear(probeBox);
  probeBox.append(h('table', { className: 'data', id: 'probe-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'run'), h('th', { scope: 'col' }, 'algorithm'), h('th', { scope: 'col' }, 'engine'), h('th', { scope: 'col' }, 'state'),
      ...kinds.map((k) => h('th', { scope: 'col', className: 'num' }, `${probeKindLabel(k)} top-1`)))),
    h('tbody', {}, ...runs.map((r, i) => h('tr', { 'data-run': r.runId },
      h('td', {}, h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); openRun(r.runId); } }, r.runId)),
      h('td', {}, r.algorithm.toUpperCase()),
      h('td', { className: 'muted' }, r.engine ?? 'tfjs'),
      h('td', {}, `${r.displayState} ${r.step}/${r.totalSteps}`),
      ...kinds.map((k) => probeCell(scores[k][i], { numClasses: scores[k][i].numClasses, floor: r.randomInitFloors?.[k], best: best[k] === i }, k)))))));
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.keyConfig)))];
  const differs = (k: string): boolean => new Set(runs.map((r) => r.keyConfig[k])).size > 1;
  const cfgBox = byId('config-table-box');
  clear(cfgBox);
  cfgBox.append(h('table', { className: 'data' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'key'), ...runs.map((r) => h('th', { scope: 'col' }, r.runId)))),
    h('tbody', {}, ...keys.map((k) => h('tr', { className: differs(k) ? 'differs' : '' }, h('th', { scope: 'row' }, k), ...runs.map((r) => h('td', {}, r.keyConfig[k] ?? '–')))))));
}

layout();
reportErrors((m) => vs.post(m));
onThemeChange(() => chart?.applyTheme());

window.addEventListener('message', (event: MessageEvent) => {
  const msg: unknown = event.data;
  if (!isHostToComparePanel(msg) || msg.seq <= seq) return;
  seq = msg.seq;
  runs = msg.runs;
  vs.setState({ runDirs: runs.map((r) => r.runDir) });
  byId('run-count').textContent = `${runs.length} runs: ${runs.map((r) => r.runId).join(', ')}`;
  drawChart();
  renderTables();
  document.body.dataset.ready = '1';
  document.body.dataset.seq = String(seq);
});

vs.post({ type: 'ready' });
