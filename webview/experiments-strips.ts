// Reconstructions of the selected runs side by side under one step slider: a row per test image of the fixed
// sample batch, a column per run, each cell that run's strip (original | masked | prediction | …) at the step.
// Samples come from the host on request and are cached per run and step.
import type { ExperimentRow, SampleStrip } from '../src/protocol/experiments';
import { byId, h } from './dom';
import { loadImage, tileCanvas, tileOf } from './image-grid';
import { sharedSteps, stepFor } from './experiments-model';

const MAX_RUNS = 6;

export class SharedStrips {
  private runs: ExperimentRow[] = [];
  private steps: number[] = [];
  private readonly strips = new Map<string, SampleStrip | null>();
  private readonly images = new Map<string, HTMLImageElement>();
  private readonly requested = new Set<string>();

  constructor(private readonly ui: { stripStep: number | null }, private readonly request: (runId: string, step: number) => void, private readonly saveUi: () => void) {
    byId<HTMLInputElement>('shared-step').addEventListener('input', (e) => {
      this.ui.stripStep = this.steps[Number((e.target as HTMLInputElement).value)] ?? null;
      this.saveUi();
      this.render();
    });
  }

  /** The runs to show (the table's selection, in table order). */
  setRuns(rows: readonly ExperimentRow[]): void {
    this.runs = rows.filter((r) => r.samples.length > 0).slice(0, MAX_RUNS);
    this.steps = sharedSteps(this.runs);
    const slider = byId<HTMLInputElement>('shared-step');
    slider.max = String(Math.max(0, this.steps.length - 1));
    slider.disabled = this.steps.length < 2;
    if (this.ui.stripStep === null || !this.steps.includes(this.ui.stripStep)) this.ui.stripStep = this.steps[this.steps.length - 1] ?? null;
    slider.value = String(Math.max(0, this.steps.indexOf(this.ui.stripStep ?? -1)));
    this.render();
  }

  receive(runId: string, step: number, strip: SampleStrip | null): void {
    const key = `${runId}@${step}`;
    this.requested.delete(key);
    this.strips.set(key, strip);
    if (!strip?.image) {
      this.render();
      return;
    }
    void loadImage(strip.image).then((img) => {
      this.images.set(key, img);
      this.render();
    }, () => this.render());
  }

  private render(): void {
    const box = byId('strips');
    const step = this.ui.stripStep;
    byId('shared-step-label').textContent = step === null ? '' : `step ${step}`;
    if (!this.runs.length || step === null) {
      box.replaceChildren(h('p', { className: 'muted' }, 'Select runs in the table (the checkboxes) to see their reconstructions side by side at one step.'));
      box.dataset.drawn = '0';
      return;
    }
    const shown = this.runs.map((r) => ({ run: r, step: stepFor(r.samples, step) as number }));
    const missing = shown.filter((s) => !this.strips.has(`${s.run.runId}@${s.step}`));
    for (const s of missing) {
      const key = `${s.run.runId}@${s.step}`;
      if (this.requested.has(key)) continue;
      this.requested.add(key);
      this.request(s.run.runId, s.step);
    }
    if (missing.length) return; // drawn once every run's sample is here, so the strips never show two steps
    const first = shown.map((s) => this.strips.get(`${s.run.runId}@${s.step}`)).find((s) => s);
    if (!first) {
      box.replaceChildren(h('p', { className: 'error' }, `no samples at step ${step}`));
      return;
    }
    const head = h('tr', {}, h('th', {}), ...shown.map((s) => h('th', { scope: 'col', title: s.run.runId }, s.run.runId, h('br'), h('span', { className: 'muted' }, `step ${s.step}${s.step !== step ? ' (latest before)' : ''}`))));
    const rows = first.indices.map((idx, i) => h('tr', {},
      h('th', { scope: 'row' }, `#${idx}${first.labels[i] !== undefined ? ` · class ${first.labels[i]}` : ''}`),
      ...shown.map((s) => this.cell(s.run.runId, s.step, idx))));
    box.replaceChildren(h('table', { className: 'image-grid strips' }, h('thead', {}, head), h('tbody', {}, ...rows)));
    box.dataset.drawn = String(shown.length);
    box.dataset.step = String(step);
  }

  /** One run's strip for test image `idx`. */
  private cell(runId: string, step: number, idx: number): HTMLElement {
    const key = `${runId}@${step}`;
    const strip = this.strips.get(key);
    const img = this.images.get(key);
    const td = h('td', { className: 'strip', 'data-run': runId, 'data-step': step });
    if (!strip || !img) {
      td.append(h('span', { className: 'muted' }, strip ? 'loading…' : 'no sample'));
      return td;
    }
    const row = strip.indices.indexOf(idx);
    if (row < 0) {
      td.append(h('span', { className: 'muted' }, 'other test images'));
      return td;
    }
    for (let c = 0; c < strip.views.length; c++) td.append(tileCanvas(img, tileOf(img, strip.indices.length, strip.views.length, row, c), 48));
    return td;
  }
}
