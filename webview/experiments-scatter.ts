// A scatter plot (chart.js) of one metric against one swept config key: a point per run, and the mean per value.
import { Chart, Legend, LinearScale, LineElement, PointElement, ScatterController, Tooltip } from 'chart.js';
import type { ScatterData } from './experiments-model';
import { chartColor, themeColors, withAlpha } from './theme';

Chart.register(ScatterController, PointElement, LineElement, LinearScale, Tooltip, Legend);

export class ScatterPlot {
  private chart: Chart<'scatter'> | null = null;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  draw(data: ScatterData, xLabel: string, yLabel: string): void {
    this.chart?.destroy();
    const t = themeColors();
    const blue = chartColor('blue');
    const orange = chartColor('orange');
    const cats = data.categories;
    const axis = (title: string): object => ({
      title: { display: true, text: title, color: t.muted }, ticks: { color: t.muted }, grid: { color: t.grid },
    });
    this.chart = new Chart(this.canvas, {
      type: 'scatter',
      data: {
        datasets: [
          { label: 'runs', data: data.points.map((p) => ({ x: p.x, y: p.y })), backgroundColor: withAlpha(blue, 0.7), borderColor: blue, pointRadius: 4 },
          { label: 'mean', data: data.means.map((m) => ({ x: m.x, y: m.y })), backgroundColor: orange, borderColor: orange, pointRadius: 7, pointStyle: 'crossRot', showLine: true, borderWidth: 1.5 },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: { labels: { color: t.foreground } },
          tooltip: {
            callbacks: {
              label: (ctx) => {
                const p = ctx.datasetIndex === 0 ? data.points[ctx.dataIndex] : null;
                const px = ctx.parsed.x ?? 0;
                const x = cats ? cats[px] : String(px);
                return `${p ? p.runId : `mean of ${data.means[ctx.dataIndex]?.n ?? 0}`}: ${xLabel}=${x}, ${(ctx.parsed.y ?? 0).toFixed(3)}`;
              },
            },
          },
        },
        scales: {
          x: { ...axis(xLabel), type: 'linear', ...(cats ? { min: -0.5, max: cats.length - 0.5, ticks: { color: t.muted, stepSize: 1, callback: (v: number | string) => cats[Number(v)] ?? '' } } : {}) },
          y: { ...axis(yLabel), type: 'linear' },
        },
      },
    });
    this.canvas.dataset.points = String(data.points.length);
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }
}
