// CPU-side patch bookkeeping on typed arrays. Selecting visible/masked patches here (before the graph) keeps
// gather and scatter out of the autodiff tape: wasm has no gather gradient and its batched gather is broken.

export interface PatchGeometry {
  imageSize: number;
  patchSize: number;
  channels: number;
}

export function gridSide(g: PatchGeometry): number {
  return g.imageSize / g.patchSize;
}

export function patchDim(g: PatchGeometry): number {
  return g.patchSize * g.patchSize * g.channels;
}

/**
 * Visits every pixel row of every patch in patch order: `visit(imageOffset, patchOffset, length)` where the
 * first offset indexes NHWC images and the second the [B, N, p·p·C] patch array.
 */
function forEachPatchRow(batch: number, g: PatchGeometry, visit: (imageOffset: number, patchOffset: number, length: number) => void): void {
  const { imageSize: S, patchSize: p, channels: C } = g;
  const h = S / p;
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let gy = 0; gy < h; gy++) {
      for (let gx = 0; gx < h; gx++) {
        for (let y = 0; y < p; y++) {
          visit(((b * S + gy * p + y) * S + gx * p) * C, o, p * C);
          o += p * C;
        }
      }
    }
  }
}

/** NHWC images [B, S, S, C] → patches [B, N, p·p·C], patches row-major, values ordered (row, col, channel) as MAE's patchify. */
export function patchify(images: Float32Array, batch: number, g: PatchGeometry): Float32Array {
  const out = new Float32Array(batch * g.imageSize * g.imageSize * g.channels);
  forEachPatchRow(batch, g, (img, patch, len) => out.set(images.subarray(img, img + len), patch));
  return out;
}

/** Inverse of patchify: patches [B, N, p·p·C] → NHWC images. */
export function unpatchify(patches: Float32Array, batch: number, g: PatchGeometry): Float32Array {
  const out = new Float32Array(batch * g.imageSize * g.imageSize * g.channels);
  forEachPatchRow(batch, g, (img, patch, len) => out.set(patches.subarray(patch, patch + len), img));
  return out;
}

/**
 * Gathers per-sample rows: table [B, N, W] (or a shared [N, W] table when `shared`), indices [B·k] holding
 * per-sample row numbers → [B·k, W].
 */
export function gatherRows(table: Float32Array, width: number, rowsPerSample: number, indices: Int32Array, k: number, shared = false): Float32Array {
  const batch = indices.length / k;
  const out = new Float32Array(indices.length * width);
  for (let b = 0; b < batch; b++) {
    const base = shared ? 0 : b * rowsPerSample;
    for (let j = 0; j < k; j++) {
      const src = (base + indices[b * k + j]) * width;
      out.set(table.subarray(src, src + width), (b * k + j) * width);
    }
  }
  return out;
}

/** Mean and std of one patch row (unbiased variance, as torch.var in MAE; eps 1e-6 inside the root). */
export function patchStats(values: Float32Array, start: number, width: number): { mean: number; std: number } {
  let mean = 0;
  for (let i = 0; i < width; i++) mean += values[start + i];
  mean /= width;
  let v = 0;
  for (let i = 0; i < width; i++) v += (values[start + i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / Math.max(1, width - 1) + 1e-6) };
}

/** MAE's norm-pix target: each patch normalised by its own mean and variance (eps 1e-6). */
export function normalisePatches(patches: Float32Array, width: number): Float32Array {
  const out = new Float32Array(patches.length);
  for (let r = 0; r < patches.length; r += width) {
    const { mean, std } = patchStats(patches, r, width);
    for (let i = 0; i < width; i++) out[r + i] = (patches[r + i] - mean) / std;
  }
  return out;
}
