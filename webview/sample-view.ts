// Reconstruction strip with a step slider, and attention heatmaps with layer/head pickers and overlay.
// Sample data comes from the host on request (`request-sample`); the latest step is followed unless the user moves the slider.
import type { SampleData } from '../src/protocol/webview';
import { keysToGrid, regressorToGrid } from './attention';
import { byId, clear, fillSelect, h } from './dom';
import { drawHeatmap } from './heatmap';
import { loadImage, renderImageGrid, tileOf, type Tile } from './image-grid';

export interface SampleUiState {
  follow: boolean;
  step: number | null;
  mode: 'encoder' | 'regressor';
  layer: number;
  head: string;
  overlay: boolean;
}

export const DEFAULT_SAMPLE_UI: SampleUiState = { follow: true, step: null, mode: 'encoder', layer: -1, head: 'avg', overlay: true };

export class SampleView {
  private steps: number[] = [];
  private readonly cache = new Map<number, SampleData>();
  private readonly requested = new Set<number>();
  private img: HTMLImageElement | null = null;
  private imgStep: number | null = null;

  constructor(
    private readonly ui: SampleUiState,
    private readonly request: (step: number) => void,
    private readonly saveUi: () => void,
  ) {
    byId<HTMLInputElement>('step-slider').addEventListener('input', (e) => {
      const i = Number((e.target as HTMLInputElement).value);
      this.ui.follow = i === this.steps.length - 1;
      this.ui.step = this.steps[i] ?? null;
      this.saveUi();
      this.show();
    });
    const onPick = (): void => {
      this.ui.mode = byId<HTMLSelectElement>('attn-mode').value === 'regressor' ? 'regressor' : 'encoder';
      this.ui.layer = Number(byId<HTMLSelectElement>('attn-layer').value);
      this.ui.head = byId<HTMLSelectElement>('attn-head').value;
      this.ui.overlay = byId<HTMLInputElement>('attn-overlay').checked;
      this.saveUi();
      void this.drawAttention();
    };
    for (const id of ['attn-mode', 'attn-layer', 'attn-head', 'attn-overlay']) byId(id).addEventListener('change', onPick);
    byId<HTMLInputElement>('attn-overlay').checked = this.ui.overlay;
  }

  /** Called when a sample image has been drawn (other cells overlay on it). */
  onImage: () => void = () => undefined;

  /** The loaded sample image, if it shows these test-split images, and each image's original tile. */
  baseFor(indices: readonly number[]): { img: HTMLImageElement; tile: (i: number) => Tile } | null {
    const s = this.imgStep === null ? undefined : this.cache.get(this.imgStep);
    const img = this.img;
    if (!s || !img || s.manifest.indices.join() !== indices.join()) return null;
    const m = s.manifest;
    const col = Math.max(0, m.views.indexOf('original'));
    return { img, tile: (i) => tileOf(img, m.indices.length, m.views.length, i, col) };
  }

  /** New list of sample steps from the run (snapshot or delta). */
  setSteps(steps: readonly number[]): void {
    this.steps = [...steps];
    const slider = byId<HTMLInputElement>('step-slider');
    slider.max = String(Math.max(0, steps.length - 1));
    slider.disabled = steps.length < 2;
    if (!steps.length) {
      byId('recon').replaceChildren(h('p', { className: 'muted' }, 'No samples yet: reconstructions and attention maps appear every sample.every steps.'));
      byId('heatmaps').replaceChildren();
      byId('step-label').textContent = '';
      return;
    }
    if (this.ui.follow || this.ui.step === null || !steps.includes(this.ui.step)) this.ui.step = steps[steps.length - 1];
    slider.value = String(steps.indexOf(this.ui.step));
    this.show();
  }

  /** A sample arrived from the host. */
  receive(step: number, sample: SampleData | null, error?: string): void {
    this.requested.delete(step);
    if (sample) this.cache.set(step, sample);
    if (step !== this.ui.step) return;
    if (!sample) {
      byId('recon').replaceChildren(h('p', { className: 'error' }, error ?? `no sample at step ${step}`));
      return;
    }
    void this.render(step, sample);
  }

  private show(): void {
    const step = this.ui.step;
    if (step === null) return;
    const latest = this.steps[this.steps.length - 1];
    byId('step-label').textContent = `step ${step}${step === latest ? ' (latest)' : ''}`;
    const cached = this.cache.get(step);
    if (cached) void this.render(step, cached);
    else if (!this.requested.has(step)) {
      this.requested.add(step);
      this.request(step);
    }
  }

  private async render(step: number, s: SampleData): Promise<void> {
    const m = s.manifest;
    if (!s.reconstruction) {
      byId('recon').replaceChildren(h('p', { className: 'error' }, `samples/${step}: reconstruction image missing`));
      return;
    }
    const img = await loadImage(s.reconstruction);
    if (step !== this.ui.step) return;
    this.img = img;
    this.imgStep = step;
    const recon = byId('recon');
    const rowLabels = m.indices.map((idx, i) => `#${idx}${m.labels[i] !== undefined ? ` · class ${m.labels[i]}` : ''}`);
    recon.replaceChildren(renderImageGrid(img, { views: m.views, rowLabels, tileSize: 72 }));
    recon.dataset.step = String(step);
    this.fillPickers(s);
    await this.drawAttention();
    this.onImage();
  }

  private fillPickers(s: SampleData): void {
    const m = s.manifest;
    const modes = [{ value: 'encoder', label: 'encoder: [cls] → patches' }];
    if (s.regressorAttention && m.regressorAttention) modes.push({ value: 'regressor', label: 'regressor: masked query → keys' });
    fillSelect(byId<HTMLSelectElement>('attn-mode'), modes, this.ui.mode);
    const layers = this.ui.mode === 'regressor' ? (s.regressorAttention?.[0]?.length ?? 0) : m.encoderAttention.layers;
    fillSelect(byId<HTMLSelectElement>('attn-layer'), Array.from({ length: layers }, (_, l) => ({ value: String(l), label: `layer ${l + 1}` })));
    const layerSel = byId<HTMLSelectElement>('attn-layer');
    layerSel.value = String(this.ui.layer >= 0 && this.ui.layer < layers ? this.ui.layer : layers - 1);
    const heads = [{ value: 'avg', label: 'mean of heads' }, ...Array.from({ length: m.encoderAttention.heads }, (_, i) => ({ value: String(i), label: `head ${i + 1}` }))];
    fillSelect(byId<HTMLSelectElement>('attn-head'), heads, this.ui.head);
    byId<HTMLSelectElement>('attn-head').disabled = this.ui.mode === 'regressor';
  }

  private async drawAttention(): Promise<void> {
    const step = this.ui.step;
    const s = step === null ? undefined : this.cache.get(step);
    const box = byId('heatmaps');
    if (!s || !this.img || this.imgStep !== step) return;
    if (this.ui.mode === 'regressor' && !s.regressorAttention) this.ui.mode = 'encoder';
    this.fillPickers(s);
    const m = s.manifest;
    const layer = Number(byId<HTMLSelectElement>('attn-layer').value);
    const headSel = byId<HTMLSelectElement>('attn-head').value;
    const heads = m.encoderAttention.heads;
    const headIndex = headSel === 'avg' ? heads : Number(headSel);
    const n = m.grid[0] * m.grid[1];
    const origCol = Math.max(0, m.views.indexOf('original'));
    clear(box);
    let drawn = 0;
    m.indices.forEach((idx, i) => {
      let values: (number | null)[] | undefined;
      let query: number | undefined;
      if (this.ui.mode === 'regressor') {
        const keys = s.regressorAttention?.[i]?.[layer];
        query = m.regressorAttention?.query[i];
        const order = m.regressorAttention?.keys?.[i];
        if (keys) values = order ? keysToGrid(keys, order, n) : regressorToGrid(keys, m.masked[i] ?? [], n);
      } else {
        values = s.encoderAttention?.[i]?.[layer]?.[headIndex];
      }
      const canvas = h('canvas', { className: 'heatmap', 'aria-label': `attention of image ${idx}` });
      if (values && this.img) {
        drawHeatmap(canvas, {
          grid: m.grid, values, overlay: this.ui.overlay, cssSize: 120, query,
          base: { img: this.img, tile: tileOf(this.img, m.indices.length, m.views.length, i, origCol) },
          outline: this.ui.mode === 'regressor' ? m.masked[i] : undefined,
        });
        drawn++;
      }
      box.append(h('figure', {}, canvas, h('figcaption', {}, `#${idx}`)));
    });
    if (!drawn) box.append(h('p', { className: 'muted' }, 'No attention data in this sample.'));
    box.dataset.drawn = String(drawn);
  }
}
