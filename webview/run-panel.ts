// Run panel entry (webview, DOM only): a notebook-like column of cells fed by a snapshot + numbered deltas.
import type { ProbeKind } from '../src/protocol/run-files';
import { isHostToRunPanel, type MetricColumns, type RunPanelState, type RunPanelToHost, type RunView } from '../src/protocol/webview';
import { LineChart } from './chart';
import { collapseSeries } from './signal-series';
import { byId, h } from './dom';
import { configValue, renderConfig, renderHeader, renderProbes, type HeaderActions } from './run-header';
import { applyMessage, type RunModel } from './run-state';
import { DEFAULT_SAMPLE_UI, SampleView, type SampleUiState } from './sample-view';
import { colorLegend } from './heatmap';
import { ProbeAttentionView } from './probe-attention-view';
import { onThemeChange } from './theme';
import { bridge, reportErrors } from './vscode-api';

interface UiState extends SampleUiState {
  smoothing: number;
  logY: boolean;
}

const vs = bridge<RunPanelToHost, RunPanelState>();
const saved = vs.getState();
const ui: UiState = { ...DEFAULT_SAMPLE_UI, smoothing: 0.6, logY: false, ...(saved?.ui as Partial<UiState> | undefined) };
let model: RunModel | null = null;
let charts: LineChart[] = [];

// Named actions: the only places that talk to the host.
const actions: HeaderActions = {
  stop: () => vs.post({ type: 'intent', action: 'stop' }),
  resume: () => vs.post({ type: 'intent', action: 'resume' }),
  reveal: () => vs.post({ type: 'intent', action: 'reveal' }),
  probe: (kind: ProbeKind) => vs.post({ type: 'probe', kind }),
};
const requestSample = (step: number): void => vs.post({ type: 'request-sample', step });
const saveUi = (): void => {
  if (model) vs.setState({ runDir: model.run.runDir, ui: { ...ui } });
};

function layout(): void {
  const cell = (id: string, title: string, ...body: Node[]): HTMLElement => h('section', { className: 'cell', id, 'aria-label': title }, h('h2', {}, title), ...body);
  const smoothing = h('input', { type: 'range', id: 'smoothing', min: 0, max: 0.99, step: 0.01, value: ui.smoothing, 'aria-label': 'smoothing' });
  const logY = h('input', { type: 'checkbox', id: 'log-y', checked: ui.logY });
  byId('app').replaceChildren(
    h('header', { className: 'cell header', id: 'header' }),
    h('section', { className: 'cell', id: 'config' }),
    cell('cell-losses', 'Training curves',
      h('div', { className: 'toolbar' },
        h('label', {}, logY, ' log scale'),
        h('label', {}, 'smoothing ', smoothing, h('span', { id: 'smoothing-value' }, ui.smoothing.toFixed(2))),
        h('button', { type: 'button', id: 'reset-zoom', title: 'Drag across a chart to zoom into steps (Ctrl+wheel also zooms); double-click resets', onclick: () => charts[0]?.resetZoom() }, 'Reset zoom'),
        h('span', { className: 'muted', id: 'points-label' })),
      h('div', { className: 'chart-box' }, h('canvas', { id: 'loss-chart', 'aria-label': 'loss curves' })),
      h('div', { className: 'chart-row' },
        h('div', { className: 'chart-box small' }, h('canvas', { id: 'collapse-chart', 'aria-label': 'collapse signal' })),
        h('div', { className: 'chart-box small' }, h('canvas', { id: 'speed-chart', 'aria-label': 'throughput' })))),
    cell('cell-recon', 'Reconstructions',
      h('div', { className: 'toolbar' }, h('input', { type: 'range', id: 'step-slider', min: 0, max: 0, value: 0, 'aria-label': 'sample step' }), h('span', { id: 'step-label' })),
      h('div', { id: 'recon' })),
    cell('cell-attention', 'Attention',
      h('div', { className: 'toolbar' },
        h('select', { id: 'attn-mode', 'aria-label': 'attention kind' }), h('select', { id: 'attn-layer', 'aria-label': 'layer' }),
        h('select', { id: 'attn-head', 'aria-label': 'head' }), h('label', {}, h('input', { type: 'checkbox', id: 'attn-overlay' }), ' overlay on image'),
        colorLegend()),
      h('div', { id: 'heatmaps', className: 'heatmaps' })),
    cell('cell-probes', 'Probes', h('div', { id: 'probes' }), h('div', { id: 'probe-attention' })),
  );
  // Zooming one chart zooms all of them to the same steps.
  byId('cell-losses').addEventListener('zoomchange', (e) => {
    const src = charts.find((c) => c.chart.canvas === e.target);
    for (const c of charts) if (c !== src) c.setRange(src?.range ?? null);
  });
  smoothing.addEventListener('input', () => {
    ui.smoothing = Number(smoothing.value);
    byId('smoothing-value').textContent = ui.smoothing.toFixed(2);
    charts.forEach((c) => c.setSmoothing(ui.smoothing));
    saveUi();
  });
  logY.addEventListener('change', () => {
    ui.logY = logY.checked;
    charts[0]?.setLog(ui.logY);
    saveUi();
  });
}

function makeCharts(run: RunView): void {
  charts.forEach((c) => c.destroy());
  const cae = (run.status?.algorithm ?? run.config?.algorithm) !== 'mae';
  const threshold = Number(configValue(run.config, 'monitor.collapseStd'));
  charts = [
    new LineChart(byId<HTMLCanvasElement>('loss-chart'), [
      { id: 'loss', label: 'loss', color: 'blue' },
      { id: 'loss_main', label: 'loss_main', color: 'green' },
      ...(cae ? [{ id: 'loss_align', label: 'loss_align', color: 'orange' }] : []),
      { id: 'lr', label: 'lr', color: 'purple', axis: 'y1' as const, dashed: true, exact: true },
    ], { yLabel: 'loss', y1Label: 'lr', logY: ui.logY, smoothing: ui.smoothing }),
    new LineChart(byId<HTMLCanvasElement>('collapse-chart'), collapseSeries(cae), {
      yLabel: 'std', y1Label: 'rank_me', smoothing: ui.smoothing, hLines: Number.isFinite(threshold) && threshold > 0 ? [{ value: threshold, label: `collapse < ${threshold}`, color: 'red' }] : [],
    }),
    new LineChart(byId<HTMLCanvasElement>('speed-chart'), [{ id: 'imgs_per_s', label: 'images/s', color: 'yellow' }], { yLabel: 'img/s', smoothing: ui.smoothing }),
  ];
}

function feedCharts(cols: MetricColumns, replace: boolean): void {
  const t0 = performance.now();
  for (const c of charts) (replace ? c.setData : c.append).call(c, cols.step, cols);
  // How long drawing took, for the long-run check in the end-to-end tests.
  byId('loss-chart').dataset.renderMs = (performance.now() - t0).toFixed(0);
  const n = model?.metrics.step.length ?? 0;
  byId('points-label').textContent = `${n} logged step${n === 1 ? '' : 's'}`;
}

function renderRun(run: RunView, changed: Partial<RunView> | null): void {
  document.body.dataset.state = run.displayState;
  if (!changed || 'status' in changed || 'actions' in changed || 'displayState' in changed) renderHeader(byId('header'), run, actions);
  if (!changed || 'config' in changed) renderConfig(byId('config'), run.config);
  if (!changed || 'probes' in changed) {
    renderProbes(byId('probes'), run.probes);
    probeAttention.setProbes(run.probes);
  }
  if (!changed || 'samples' in changed) samples.setSteps(run.samples);
}

layout();
const samples = new SampleView(ui, requestSample, saveUi);
const probeAttention = new ProbeAttentionView(byId('probe-attention'), (probeId) => vs.post({ type: 'request-probe-attention', probeId }), (ix) => samples.baseFor(ix));
samples.onImage = (): void => probeAttention.draw();
reportErrors((m) => vs.post(m));
onThemeChange(() => charts.forEach((c) => c.applyTheme()));

window.addEventListener('message', (event: MessageEvent) => {
  const msg: unknown = event.data;
  if (!isHostToRunPanel(msg)) return;
  if (msg.type === 'sample') {
    samples.receive(msg.step, msg.sample, msg.error);
    return;
  }
  if (msg.type === 'probe-attention') {
    probeAttention.receive(msg.probeId, msg.attention);
    return;
  }
  const r = applyMessage(model, msg);
  switch (r.kind) {
    case 'snapshot':
      model = r.model;
      document.title = `Run ${model.run.runId}`;
      document.body.dataset.runId = model.run.runId;
      makeCharts(model.run);
      feedCharts(model.metrics, true);
      renderRun(model.run, null);
      saveUi();
      break;
    case 'delta':
      model = r.model;
      if (r.delta.metrics) feedCharts(r.delta.metrics, false);
      if (r.delta.run) renderRun(model.run, r.delta.run);
      break;
    case 'resync':
      vs.post({ type: 'resync', lastSeq: r.lastSeq });
      return;
    case 'ignored':
      return;
  }
  document.body.dataset.seq = String(model?.seq ?? 0);
  document.body.dataset.ready = '1';
});

vs.post({ type: 'ready' });
