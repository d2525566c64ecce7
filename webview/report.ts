// The HTML report's page script (bundled into report.html by `mim-lab report`): the run panel's chart and
// sample view, fed from the data embedded in the page instead of from the extension host. Offline, no messages.
import { REPORT_DATA_ELEMENT, type ReportData } from '../src/protocol/report-data';
import type { SampleData } from '../src/protocol/webview';
import { attentionCaption, reconstructionCaption } from './captions';
import { CurveCharts, curveBoxes } from './curve-charts';
import { byId, h } from './dom';
import { renderReportProbes } from './report-probes';
import { configValue, renderConfig } from './run-header';
import { DEFAULT_SAMPLE_UI, SampleView, type SampleUiState } from './sample-view';

function showError(message: string): void {
  console.error(message);
  document.body.prepend(h('p', { className: 'error', role: 'alert' }, `report error: ${message}`));
}

window.addEventListener('error', (e) => showError(`${e.message} at ${e.filename}:${e.lineno}`));
window.addEventListener('unhandledrejection', (e) => showError(`unhandled rejection: ${String(e.reason)}`));

function readData(): ReportData {
  return JSON.parse(byId(REPORT_DATA_ELEMENT).textContent ?? 'null') as ReportData;
}

function header(d: ReportData): HTMLElement {
  const s = d.status;
  const algo = String(s?.algorithm ?? configValue(d.config, 'algorithm') ?? '?').toUpperCase();
  const facts = [algo, String(configValue(d.config, 'preset') ?? ''), s ? `backend ${s.backend}` : '', s ? `step ${s.step}/${s.totalSteps}` : '', s ? `epoch ${s.epoch}` : '']
    .filter(Boolean).join(' · ');
  const state = s?.state ?? 'unknown';
  return h('header', { className: 'cell header', id: 'header' },
    h('div', { className: 'title-row' }, h('h1', {}, d.runId), h('span', { className: `badge state-${state}`, id: 'state-badge' }, state)),
    h('p', { className: 'muted' }, facts),
    h('p', { className: 'muted report-meta' }, `Report written ${d.generatedAt.replace('T', ' ').slice(0, 19)} UTC by mim-lab report.`),
    ...(s?.error ? [h('p', { className: 'error' }, s.error)] : []),
    ...(s?.warnings ?? []).map((w) => h('p', { className: 'warning' }, w)),
    ...d.notes.map((n) => h('p', { className: 'notice notes' }, n)));
}

function cell(id: string, title: string, ...body: Node[]): HTMLElement {
  return h('section', { className: 'cell', id, 'aria-label': title }, h('h2', {}, title), ...body);
}

/** The curves cell, and a function that draws the charts once the cell is in the document. */
function curves(d: ReportData): { el: HTMLElement; draw: () => void } {
  const logY = h('input', { type: 'checkbox', id: 'log-y' });
  const smoothing = h('input', { type: 'range', id: 'smoothing', min: 0, max: 0.99, step: 0.01, value: 0, 'aria-label': 'smoothing' });
  const el = cell('cell-losses', 'Training curves',
    h('div', { className: 'toolbar' },
      h('label', {}, logY, ' log scale'), h('label', {}, 'smoothing ', smoothing),
      h('span', { className: 'muted' }, `${d.metrics.step.length} logged steps · drag across a chart to zoom, double-click to reset`)),
    ...curveBoxes());
  const draw = (): void => {
    const threshold = Number(configValue(d.config, 'monitor.collapseStd'));
    const charts = new CurveCharts({ cae: configValue(d.config, 'algorithm') !== 'mae', collapseStd: Number.isFinite(threshold) ? threshold : 0, logY: false, smoothing: 0 });
    for (const c of charts.all) c.setData(d.metrics.step, d.metrics);
    logY.addEventListener('change', () => charts.setLog(logY.checked));
    smoothing.addEventListener('input', () => charts.setSmoothing(Number(smoothing.value)));
  };
  return { el, draw };
}

/** The run panel's reconstruction and attention cells; the "host" answers sample requests from the page data. */
function samplesCells(d: ReportData): HTMLElement[] {
  const recon = cell('cell-recon', 'Reconstructions', reconstructionCaption(),
    h('div', { className: 'toolbar' }, h('input', { type: 'range', id: 'step-slider', min: 0, max: 0, value: 0, 'aria-label': 'sample step' }), h('span', { id: 'step-label' })),
    h('div', { id: 'recon' }));
  const attention = cell('cell-attention', 'Attention', attentionCaption(),
    h('div', { className: 'toolbar' },
      h('select', { id: 'attn-mode', 'aria-label': 'attention kind' }), h('select', { id: 'attn-layer', 'aria-label': 'layer' }),
      h('select', { id: 'attn-head', 'aria-label': 'head' }), h('label', {}, h('input', { type: 'checkbox', id: 'attn-overlay' }), ' overlay on image')),
    h('div', { id: 'heatmaps', className: 'heatmaps' }));
  return [recon, attention];
}

function main(): void {
  const d = readData();
  document.title = `MIM Lab report · ${d.runId}`;
  const probes = h('div', { id: 'probes' });
  const config = h('section', { className: 'cell', id: 'config' });
  const charts = curves(d);
  byId('app').replaceChildren(header(d), config, charts.el, ...samplesCells(d), cell('cell-probes', 'Probes', probes),
    h('footer', { className: 'muted' }, `Sample steps on disk: ${d.sampleSteps.join(', ') || 'none'}.`));
  charts.draw();
  renderConfig(config, d.config);
  renderReportProbes(probes, d.probes);
  const bySteps = new Map<number, SampleData>(d.samples.map((s) => [s.manifest.step, s]));
  const ui: SampleUiState = { ...DEFAULT_SAMPLE_UI };
  const view: SampleView = new SampleView(ui, (step) => {
    setTimeout(() => view.receive(step, bySteps.get(step) ?? null, `step ${step} is not in this report`), 0);
  }, () => undefined);
  view.setSteps([...bySteps.keys()].sort((a, b) => a - b));
  document.body.dataset.ready = '1';
}

try {
  main();
} catch (err) {
  showError(err instanceof Error ? err.message : String(err));
}
