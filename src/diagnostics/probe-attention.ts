// For the attentive probe (src/probe): saves its learnable query's attention over patches for the run's fixed
// sample batch, as JSON for programs and overlays for people, in `probes/<id>/attention/` (published atomically).
//
// Usage from a probe, after training it:
//   const batch = await loadSampleBatch(config, dataset, norm);           // same images as the run's samples
//   const probs = … query attention [n, heads, K] as a Float32Array …    // K = N patches, or 1 + N with cls first
//   writeProbeAttention(runDir, probeId, batch, { probs, heads }, modelSpec.geometry);
import { join } from 'node:path';
import { encodePng, imageGrid } from '../data/png';
import { gridSide, type PatchGeometry } from '../ml/patches';
import { RUN_FILES } from '../protocol/run-files';
import { PROBE_ATTENTION_DIR, PROBE_ATTENTION_MANIFEST, type ProbeAttentionManifest } from '../protocol/samples';
import { headRows, rounded } from './attention';
import { displayScale, splitImages, TILE_PAD } from './display';
import { toUnit } from '../data/pixels';
import { attentionOverlay } from './heatmap';
import { publishDir } from './publish-dir';
import type { SampleBatch } from './sample-batch';

/** The images the probe attended over: dataset-normalised NHWC [n, S, S, C] (a SampleBatch fits). */
export type ProbeImages = Pick<SampleBatch, 'images' | 'indices' | 'labels' | 'norm'>;

export interface ProbeAttention {
  /** Softmax rows of the probe query [n, heads, K]; K = N (patch keys) or 1 + N (cls key first). */
  probs: Float32Array;
  heads: number;
}

/** The manifest (data inline) and the PNG overlays of a probe's query attention, in memory. */
export function renderProbeAttention(
  probeId: string, images: ProbeImages, attn: ProbeAttention, geometry: PatchGeometry,
): { manifest: ProbeAttentionManifest; pngs: Map<string, Uint8Array> } {
  const n = images.indices.length;
  const side = gridSide(geometry);
  const N = side * side;
  const K = attn.probs.length / (n * attn.heads);
  if (K !== N && K !== N + 1) throw new Error(`probe attention: ${attn.probs.length} values is not [${n}, ${attn.heads}, ${N} or ${N + 1}]`);
  // Without a cls key, prepend a zero weight so every row has the [cls, patches…] layout headRows expects.
  const probs = K === N + 1 ? attn.probs : withLeadingZero(attn.probs, n * attn.heads, N);
  const rows = headRows([probs], { batch: n, heads: attn.heads, keys: N + 1 }).map((layers) => layers[0]); // [n][head + avg]

  const scale = displayScale(geometry.imageSize);
  const originals = splitImages(toUnit(new Float32Array(images.images), images.norm), n, geometry);
  const pngs = new Map<string, Uint8Array>();
  const maps: ProbeAttentionManifest['maps'] = [];
  for (let h = 0; h <= attn.heads; h++) {
    const head = h === attn.heads ? 'avg' : h;
    const png = `attention-h${head}.png`;
    const grid = imageGrid(rows.map((r, b) => attentionOverlay(originals[b], r[h], { grid: side, scale })), n, TILE_PAD);
    pngs.set(png, encodePng(grid.data, grid.width, grid.height, 3));
    maps.push({ head, png });
  }
  const manifest: ProbeAttentionManifest = {
    probeId, imageSize: geometry.imageSize, patchSize: geometry.patchSize, grid: [side, side],
    indices: [...images.indices], labels: [...images.labels], heads: attn.heads,
    data: rows.map((hs) => hs.map(rounded)), maps, display: { scale, pad: TILE_PAD },
  };
  return { manifest, pngs };
}

/** Writes `probes/<probeId>/attention/` (PNGs, then attention.json) in one rename; returns the folder. */
export function writeProbeAttention(runDir: string, probeId: string, images: ProbeImages, attn: ProbeAttention, geometry: PatchGeometry): string {
  return publishProbeAttention(runDir, probeId, renderProbeAttention(probeId, images, attn, geometry));
}

/** Publishes rendered probe attention (manifest + PNGs) as `probes/<probeId>/attention/`. */
export function publishProbeAttention(runDir: string, probeId: string, rendered: { manifest: ProbeAttentionManifest; pngs: Map<string, Uint8Array> }): string {
  const { manifest, pngs } = rendered;
  const files = new Map<string, Uint8Array | string>(pngs);
  files.set(PROBE_ATTENTION_MANIFEST, JSON.stringify(manifest));
  const dir = join(runDir, RUN_FILES.probes, probeId, PROBE_ATTENTION_DIR);
  publishDir(dir, files);
  return dir;
}

function withLeadingZero(probs: Float32Array, rowCount: number, width: number): Float32Array {
  const out = new Float32Array(rowCount * (width + 1));
  for (let r = 0; r < rowCount; r++) out.set(probs.subarray(r * width, (r + 1) * width), r * (width + 1) + 1);
  return out;
}
