// Line charts for training curves (chart.js): theme colours, x zoom (drag, ctrl+wheel, double-click to reset),
// log scale, EMA smoothing drawn over the faint raw curve, and LTTB decimation so 100k points stay smooth.
// Reused by the run panel, the compare panel and the HTML report.
import {
  Chart, Decimation, Legend, LineController, LineElement, LinearScale, LogarithmicScale, PointElement, Tooltip,
  type ChartDataset, type Plugin,
} from 'chart.js';
import { fmtNum } from './dom';
import { emaSmooth, emaStart, type EmaState } from './smoothing';
import { chartColor, themeColors, withAlpha, type ChartColor } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Decimation);

export interface SeriesSpec {
  id: string;
  label: string;
  color: ChartColor | string;
  axis?: 'y' | 'y1';
  hidden?: boolean;
  dashed?: boolean;
  /** Never smoothed (a schedule such as the learning rate is exact, not noisy). */
  exact?: boolean;
  /** Logged on some steps only (e.g. rank_me): the line joins the logged points across the gaps. */
  sparse?: boolean;
}

export interface LineChartOptions {
  yLabel?: string;
  y1Label?: string;
  xLabel?: string;
  logY?: boolean;
  smoothing?: number;
  /** Horizontal reference lines, e.g. the collapse threshold. */
  hLines?: { value: number; label: string; color: ChartColor }[];
}

type Pt = { x: number; y: number | null };

interface Track {
  spec: SeriesSpec;
  raw: Pt[];
  smooth: Pt[];
  ema: EmaState;
}

const THEME_NAMES: readonly string[] = ['blue', 'red', 'green', 'yellow', 'orange', 'purple', 'foreground'];

function resolveColor(c: string): string {
  return THEME_NAMES.includes(c) ? chartColor(c as ChartColor) : c;
}

export class LineChart {
  readonly chart: Chart<'line', Pt[]>;
  private tracks: Track[];
  private smoothing: number;
  private logY: boolean;
  private xRange: [number, number] | null = null;
  private drag: { from: number; to: number } | null = null;

  constructor(private readonly canvas: HTMLCanvasElement, series: SeriesSpec[], private readonly opts: LineChartOptions = {}) {
    this.smoothing = opts.smoothing ?? 0;
    this.logY = opts.logY ?? false;
    this.tracks = series.map((spec) => ({ spec, raw: [], smooth: [], ema: emaStart() }));
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: 1.5, tension: 0 } },
        plugins: {
          decimation: { enabled: true, algorithm: 'lttb', samples: 800, threshold: 1600 },
          legend: { labels: { boxWidth: 12, filter: (item) => !String(item.text).endsWith(' (raw)') } },
          tooltip: {
            filter: (item) => !String(item.dataset.label).endsWith(' (raw)'),
            callbacks: {
              title: (items) => (items.length ? `step ${Math.round(items[0].parsed.x ?? 0)}` : ''),
              label: (item) => `${item.dataset.label}: ${fmtNum(item.parsed.y)}`,
            },
          },
        },
        scales: {},
      },
      plugins: [this.overlayPlugin()],
    });
    this.rebuildDatasets();
    this.applyTheme();
    canvas.addEventListener('pointerdown', (e) => this.onDown(e));
    canvas.addEventListener('pointermove', (e) => this.onMove(e));
    canvas.addEventListener('pointerup', (e) => this.onUp(e));
    canvas.addEventListener('dblclick', () => this.resetZoom());
    canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
  }

  /** Number of raw points in the first series (tests wait on it through `data-points`). */
  get pointCount(): number {
    return this.tracks[0]?.raw.length ?? 0;
  }

  /** Replaces all data. `ys[id]` aligns with `x`; series missing from `ys` are left empty. */
  setData(x: readonly (number | null)[], ys: Record<string, readonly (number | null)[]>): void {
    for (const t of this.tracks) {
      t.raw = [];
      t.smooth = [];
      t.ema = emaStart();
    }
    this.append(x, ys);
  }

  /** Appends points; series missing from `ys` are left as they are (the compare panel feeds one run at a time). */
  append(x: readonly (number | null)[], ys: Record<string, readonly (number | null)[]>): void {
    for (const t of this.tracks) {
      const col = ys[t.spec.id];
      if (!col) continue;
      const pts: Pt[] = [];
      for (let i = 0; i < x.length; i++) {
        const xi = x[i];
        if (xi === null) continue;
        const v = col[i] ?? null;
        pts.push({ x: xi, y: v === null || !Number.isFinite(v) ? null : v });
      }
      for (const p of pts) t.raw.push(p);
      const sm = emaSmooth(pts.map((p) => p.y), t.spec.exact ? 0 : this.smoothing, t.ema);
      for (let i = 0; i < pts.length; i++) t.smooth.push({ x: pts[i].x, y: sm[i] });
    }
    this.syncData();
    this.canvas.dataset.points = String(this.pointCount);
  }

  setSmoothing(alpha: number): void {
    this.smoothing = alpha;
    for (const t of this.tracks) {
      t.ema = emaStart();
      const sm = emaSmooth(t.raw.map((p) => p.y), t.spec.exact ? 0 : alpha, t.ema);
      t.smooth = t.raw.map((p, i) => ({ x: p.x, y: sm[i] }));
    }
    this.rebuildDatasets();
  }

  setLog(on: boolean): void {
    this.logY = on;
    this.applyScales();
    this.chart.update('none');
  }

  resetZoom(): void {
    this.setRange(null);
    this.canvas.dispatchEvent(new CustomEvent('zoomchange', { bubbles: true }));
  }

  get zoomed(): boolean {
    return this.xRange !== null;
  }

  /** The zoomed step range, or null when showing everything. */
  get range(): [number, number] | null {
    return this.xRange;
  }

  /** Shows a step range (null: everything) without firing `zoomchange`; used to keep charts in step. */
  setRange(range: [number, number] | null): void {
    this.xRange = range;
    this.applyScales();
    this.chart.update('none');
  }

  applyTheme(): void {
    const th = themeColors();
    Chart.defaults.color = th.muted;
    Chart.defaults.font.family = th.font;
    Chart.defaults.font.size = Math.max(10, th.fontSize - 2);
    this.rebuildDatasets();
  }

  destroy(): void {
    this.chart.destroy();
  }

  private rebuildDatasets(): void {
    const datasets: ChartDataset<'line', Pt[]>[] = [];
    for (const t of this.tracks) {
      const showRaw = this.showRaw(t);
      const color = resolveColor(t.spec.color);
      const common = { yAxisID: t.spec.axis ?? 'y', hidden: t.spec.hidden, borderDash: t.spec.dashed ? [4, 3] : undefined, spanGaps: t.spec.sparse ?? false };
      if (showRaw) datasets.push({ ...common, label: `${t.spec.label} (raw)`, data: t.raw, borderColor: withAlpha(color, 0.25), backgroundColor: withAlpha(color, 0.25), borderWidth: 1 });
      datasets.push({ ...common, label: t.spec.label, data: showRaw ? t.smooth : t.raw, borderColor: color, backgroundColor: color });
    }
    this.chart.data.datasets = datasets;
    this.applyScales();
    this.chart.update('none');
  }

  /** Smoothed series are drawn over their faint raw curve. */
  private showRaw(t: Track): boolean {
    return this.smoothing > 0 && !t.spec.exact;
  }

  private syncData(): void {
    let i = 0;
    for (const t of this.tracks) {
      const showRaw = this.showRaw(t);
      if (showRaw) this.chart.data.datasets[i++].data = t.raw;
      this.chart.data.datasets[i++].data = showRaw ? t.smooth : t.raw;
    }
    this.chart.update('none');
  }

  private applyScales(): void {
    const th = themeColors();
    const grid = { color: withAlpha(th.grid, 0.5) };
    const title = (text?: string): { display: boolean; text: string } => ({ display: Boolean(text), text: text ?? '' });
    const hasY1 = this.tracks.some((t) => t.spec.axis === 'y1');
    const tick = (v: number | string): string => fmtNum(Number(v), 3);
    // Tests read the axis kind off the canvas (chart.js keeps it inside the chart object).
    this.canvas.dataset.yScale = this.logY ? 'log' : 'linear';
    this.chart.options.scales = {
      x: { type: 'linear', min: this.xRange?.[0], max: this.xRange?.[1], grid, title: title(this.opts.xLabel ?? 'step'), ticks: { maxTicksLimit: 8, callback: (v: number | string) => Math.round(Number(v)).toLocaleString('en-US') } },
      y: { type: this.logY ? 'logarithmic' : 'linear', grid, title: title(this.opts.yLabel), ticks: { maxTicksLimit: 6, callback: tick } },
      ...(hasY1 ? { y1: { type: this.logY ? 'logarithmic' : 'linear', position: 'right', grid: { drawOnChartArea: false }, title: title(this.opts.y1Label), ticks: { maxTicksLimit: 4, callback: tick } } } : {}),
    } as never;
  }

  private overlayPlugin(): Plugin<'line'> {
    return {
      id: 'mimlabOverlay',
      afterDatasetsDraw: (chart): void => {
        const { ctx, chartArea: a, scales } = chart;
        ctx.save();
        for (const line of this.opts.hLines ?? []) {
          const y = scales.y?.getPixelForValue(line.value);
          if (y === undefined || y < a.top || y > a.bottom) continue;
          ctx.strokeStyle = chartColor(line.color);
          ctx.setLineDash([5, 4]);
          ctx.beginPath();
          ctx.moveTo(a.left, y);
          ctx.lineTo(a.right, y);
          ctx.stroke();
          ctx.fillStyle = chartColor(line.color);
          ctx.fillText(line.label, a.left + 4, y - 4);
        }
        if (this.drag) {
          ctx.fillStyle = withAlpha(chartColor('blue'), 0.15);
          const x0 = Math.max(a.left, Math.min(this.drag.from, this.drag.to));
          const x1 = Math.min(a.right, Math.max(this.drag.from, this.drag.to));
          ctx.fillRect(x0, a.top, x1 - x0, a.bottom - a.top);
        }
        ctx.restore();
      },
    };
  }

  private onDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.drag = { from: e.offsetX, to: e.offsetX };
    this.canvas.setPointerCapture(e.pointerId);
  }

  private onMove(e: PointerEvent): void {
    if (!this.drag) return;
    this.drag.to = e.offsetX;
    this.chart.draw();
  }

  private onUp(e: PointerEvent): void {
    const d = this.drag;
    this.drag = null;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    if (!d || Math.abs(d.to - d.from) < 6) {
      this.chart.draw();
      return;
    }
    const x = this.chart.scales.x;
    const a = x.getValueForPixel(Math.min(d.from, d.to));
    const b = x.getValueForPixel(Math.max(d.from, d.to));
    if (a !== undefined && b !== undefined && b > a) this.zoomTo(a, b);
  }

  private onWheel(e: WheelEvent): void {
    if (!e.ctrlKey && !e.metaKey) return;
    e.preventDefault();
    const x = this.chart.scales.x;
    const at = x.getValueForPixel(e.offsetX) ?? (x.min + x.max) / 2;
    const f = e.deltaY > 0 ? 1.25 : 0.8;
    this.zoomTo(at - (at - x.min) * f, at + (x.max - at) * f);
  }

  private zoomTo(a: number, b: number): void {
    const lo = Math.floor(a);
    this.xRange = [lo, Math.max(lo + 1, Math.ceil(b))];
    this.applyScales();
    this.chart.update('none');
    this.canvas.dispatchEvent(new CustomEvent('zoomchange', { bubbles: true }));
  }
}
