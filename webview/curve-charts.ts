// The training-curves cell, the same in the run panel and the HTML report: losses, the collapse signals, the
// learning rate and throughput, each on its own chart. "log scale" switches the loss and lr charts together;
// both start linear (an lr schedule on a log axis hides its warmup and cosine shape).
import { LineChart } from './chart';
import { h } from './dom';
import { collapseSeries } from './signal-series';

export interface CurveOptions {
  /** CAE has loss_align and a collapse threshold; MAE has neither. */
  cae: boolean;
  collapseStd: number;
  logY: boolean;
  smoothing: number;
}

/** The chart boxes (canvases with the ids the charts and the tests use). */
export function curveBoxes(): HTMLElement[] {
  return [
    h('div', { className: 'chart-box' }, h('canvas', { id: 'loss-chart', 'aria-label': 'loss curves' })),
    h('div', { className: 'chart-row' },
      h('div', { className: 'chart-box small' }, h('canvas', { id: 'collapse-chart', 'aria-label': 'collapse signal' })),
      h('div', { className: 'chart-box small' }, h('canvas', { id: 'lr-chart', 'aria-label': 'learning rate' })),
      h('div', { className: 'chart-box small' }, h('canvas', { id: 'speed-chart', 'aria-label': 'throughput' }))),
  ];
}

export class CurveCharts {
  readonly all: LineChart[];
  private readonly scaled: LineChart[];

  /** Call once the boxes from curveBoxes() are in the document. */
  constructor(o: CurveOptions) {
    const canvas = (id: string): HTMLCanvasElement => document.getElementById(id) as HTMLCanvasElement;
    const common = { logY: o.logY, smoothing: o.smoothing };
    const loss = new LineChart(canvas('loss-chart'), [
      { id: 'loss', label: 'loss', color: 'blue' },
      { id: 'loss_main', label: 'loss_main', color: 'green' },
      ...(o.cae ? [{ id: 'loss_align', label: 'loss_align', color: 'orange' }] : []),
    ], { yLabel: 'loss', ...common });
    const collapse = new LineChart(canvas('collapse-chart'), collapseSeries(o.cae), {
      yLabel: 'std', y1Label: 'rank_me', smoothing: o.smoothing, hLines: o.cae && o.collapseStd > 0 ? [{ value: o.collapseStd, label: `collapse < ${o.collapseStd}`, color: 'red' }] : [],
    });
    const lr = new LineChart(canvas('lr-chart'), [{ id: 'lr', label: 'learning rate', color: 'purple', exact: true }], { yLabel: 'lr', ...common });
    const speed = new LineChart(canvas('speed-chart'), [{ id: 'imgs_per_s', label: 'images/s', color: 'yellow' }], { yLabel: 'img/s', smoothing: o.smoothing });
    this.all = [loss, collapse, lr, speed];
    this.scaled = [loss, lr];
  }

  setLog(on: boolean): void {
    for (const c of this.scaled) c.setLog(on);
  }

  setSmoothing(alpha: number): void {
    for (const c of this.all) c.setSmoothing(alpha);
  }

  destroy(): void {
    for (const c of this.all) c.destroy();
  }
}
