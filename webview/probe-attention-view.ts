// The attentive probe's query attention over patches (DESIGN.md §4), overlaid on the run's fixed sample images
// when a sample with the same images is loaded. Data comes from the host on request.
import type { ProbeAttentionManifest } from '../src/protocol/samples';
import type { ProbeView } from '../src/protocol/webview';
import { clear, h } from './dom';
import { drawHeatmap } from './heatmap';
import type { Tile } from './image-grid';

/** A loaded sample image and where each image's original tile is, if it shows these test indices. */
export type BaseLookup = (indices: readonly number[]) => { img: HTMLImageElement; tile: (i: number) => Tile } | null;

export class ProbeAttentionView {
  private readonly cache = new Map<string, ProbeAttentionManifest | null>();
  private readonly requested = new Set<string>();
  private probes: ProbeView[] = [];

  constructor(private readonly el: HTMLElement, private readonly request: (probeId: string) => void, private readonly base: BaseLookup) {}

  /** The probes changed: show the newest attentive probe that has an attention map. */
  setProbes(probes: readonly ProbeView[]): void {
    this.probes = probes.filter((p) => p.kind === 'attentive' && p.state === 'done' && p.hasAttention);
    this.draw();
  }

  receive(probeId: string, attention: ProbeAttentionManifest | null): void {
    this.requested.delete(probeId);
    this.cache.set(probeId, attention);
    this.draw();
  }

  /** Redraws (also when a sample image arrives, so the overlay can use it). */
  draw(): void {
    const p = this.probes[this.probes.length - 1];
    if (!p) {
      clear(this.el);
      return;
    }
    if (!this.cache.has(p.id)) {
      if (!this.requested.has(p.id)) {
        this.requested.add(p.id);
        this.request(p.id);
      }
      return;
    }
    const a = this.cache.get(p.id);
    clear(this.el);
    if (!a) return;
    const base = this.base(a.indices);
    const box = h('div', { className: 'heatmaps' });
    let drawn = 0;
    a.indices.forEach((idx, i) => {
      const values = a.data[i]?.[a.heads];
      if (!values) return;
      const canvas = h('canvas', { className: 'heatmap', 'aria-label': `probe attention of image ${idx}` });
      drawHeatmap(canvas, { grid: a.grid, values, overlay: base !== null, cssSize: 96, base: base ? { img: base.img, tile: base.tile(i) } : undefined });
      drawn++;
      box.append(h('figure', {}, canvas, h('figcaption', {}, `#${idx}${a.labels[i] !== undefined ? ` · class ${a.labels[i]}` : ''}`)));
    });
    this.el.append(h('h3', {}, `Where the attentive probe's query looks (${p.id}, mean of ${a.heads} heads)`), box);
    this.el.dataset.drawn = String(drawn);
  }
}
