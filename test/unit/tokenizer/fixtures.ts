// Shared fixtures for tokenizer tests: an untrained (random-init, data-initialised codebook) VQ-VAE saved as a
// tokenizer folder in seconds, and images in [0, 1].
import { saveTokenizer } from '../../../src/tokenizer/train';
import { VqVae } from '../../../src/tokenizer/vq';
import { patchify } from '../../../src/ml/patches';
import { Rng } from '../../../src/ml/rng';
import { tf } from '../../../src/ml/tf';
import { tempDir } from '../../helpers/runs';

export interface SmallTokenizer {
  dir: string;
  vq: VqVae;
  geom: { inputSize: number; patchSize: number; channels: number };
}

/** Smooth random images in [0, 1] NHWC (blocks of colour, so patches differ and repeat). */
export function unitImages(n: number, size: number, channels: number, seed = 1): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n * size * size * channels);
  for (let b = 0; b < n; b++) {
    const base = Array.from({ length: channels }, () => rng.next());
    for (let i = 0; i < size * size * channels; i++) out[b * size * size * channels + i] = Math.min(1, Math.max(0, base[i % channels] + 0.3 * (rng.next() - 0.5)));
  }
  return out;
}

/** A VQ-VAE whose codebook was initialised from latents of `unitImages`, saved to a temp folder (kept in memory too). */
export async function smallTokenizer(opts: { inputSize: number; grid: number; vocab: number; channels?: number; seed?: number }): Promise<SmallTokenizer> {
  const channels = opts.channels ?? 3;
  const geom = { inputSize: opts.inputSize, patchSize: opts.inputSize / opts.grid, channels };
  const vq = new VqVae({ patchDim: geom.patchSize ** 2 * channels, hidden: 32, codeDim: 8, vocab: opts.vocab, commitment: 0.25, decay: 0.9, deadAfter: 5, seed: opts.seed ?? 0 });
  const rows = patchify(unitImages(16, opts.inputSize, channels), 16, { imageSize: opts.inputSize, patchSize: geom.patchSize, channels });
  const z = tf.tidy(() => vq.encode(tf.tensor2d(rows.map((v) => 0.8 * v + 0.1), [rows.length / (geom.patchSize ** 2 * channels), geom.patchSize ** 2 * channels])));
  const zs = (await z.data()) as Float32Array;
  z.dispose();
  vq.updateCodebook(zs, new Int32Array(zs.length / 8), 0, false);
  const dir = tempDir('tokenizer');
  await saveTokenizer(vq, geom, dir, { test: true });
  return { dir, vq, geom };
}
