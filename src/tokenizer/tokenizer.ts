// A loaded image tokenizer: images → a grid of discrete codes (no gradient), and codes → images when it has a
// decoder. Works for ours and for any TF.js encoder whose output is logits [B, h, w, V] or codes [B, h, w]
// (NCHW models such as a converted DALL-E declare `layout: nchw` in tokenizer.json).
import { tf, type Tensor } from '../ml/tf';
import { toUnit } from '../data/pixels';
import { checkMeta, DALLE_MAPPING, locateTokenizer, TokenizerError, type TokenizerMeta } from './format';
import { loadModel, type LoadedModel } from './model-io';

export interface LoadOptions {
  /** Side the tokenizer sees (images are resized to it); 0: its own input size, else `fallbackSize`. */
  inputSize: number;
  fallbackSize: number;
}

/** Images per tokenizer call, so a large batch or a large tokenizer never holds everything at once. */
const CHUNK = 64;

function sideOf(shape: (number | null)[] | null, layout: 'nhwc' | 'nchw'): { size: number | null; channels: number | null } {
  if (!shape || shape.length !== 4) return { size: null, channels: null };
  return layout === 'nhwc' ? { size: shape[1], channels: shape[3] } : { size: shape[2], channels: shape[1] };
}

export class Tokenizer {
  private constructor(
    readonly path: string,
    readonly meta: Partial<TokenizerMeta> | null,
    private readonly encoder: LoadedModel,
    private readonly decoder: LoadedModel | null,
    readonly inputSize: number,
    readonly channels: number,
    readonly grid: [number, number],
    readonly vocab: number,
    readonly output: 'logits' | 'codes',
    readonly layout: 'nhwc' | 'nchw',
    readonly mapping: { scale: number; offset: number },
    /** False when the model declares a fixed input size (no other tokenizer.inputSize works). */
    readonly resizable: boolean,
    readonly inputNorm: 'none' | 'patch',
  ) {}

  static async load(path: string, opts: LoadOptions): Promise<Tokenizer> {
    const loc = locateTokenizer(path);
    if (loc.meta) checkMeta(loc.meta, loc.encoderJson);
    const meta = loc.meta;
    const layout = meta?.layout ?? 'nhwc';
    const encoder = await loadModel(loc.encoderJson);
    const decoder = loc.decoderJson ? await loadModel(loc.decoderJson) : null;
    try {
      const declared = sideOf(encoder.inputShape, layout);
      const inputSize = opts.inputSize > 0 ? opts.inputSize : meta?.inputSize ?? declared.size ?? opts.fallbackSize;
      const channels = meta?.channels ?? declared.channels ?? 3;
      if (declared.size !== null && declared.size !== inputSize) {
        throw new TokenizerError(`the tokenizer encoder ${loc.encoderJson} takes ${declared.size} px images; tokenizer.inputSize=${opts.inputSize} asks for ${inputSize} px (set it to ${declared.size} or 0)`);
      }
      // The grid (and, for logits, the vocabulary) is measured on a blank image rather than trusted from metadata.
      const probe = tf.tidy(() => encoder.run(tf.zeros(layout === 'nhwc' ? [1, inputSize, inputSize, channels] : [1, channels, inputSize, inputSize])));
      const shape = probe.shape;
      probe.dispose();
      const output = meta?.output ?? (shape.length === 3 ? 'codes' : 'logits');
      let grid: [number, number];
      let vocab: number;
      if (output === 'codes') {
        if (shape.length !== 3) throw new TokenizerError(`${loc.encoderJson}: output 'codes' must be [B, h, w], got [${shape}]`);
        if (!meta?.vocab) throw new TokenizerError(`${loc.encoderJson} outputs codes: its tokenizer.json must give "vocab"`);
        grid = [shape[1], shape[2]];
        vocab = meta.vocab;
      } else {
        if (shape.length !== 4) throw new TokenizerError(`${loc.encoderJson}: expected logits [B, h, w, V] (or [B, V, h, w] with layout nchw), got [${shape}]`);
        grid = layout === 'nhwc' ? [shape[1], shape[2]] : [shape[2], shape[3]];
        vocab = layout === 'nhwc' ? shape[3] : shape[1];
        if (meta?.vocab !== undefined && meta.vocab !== vocab) throw new TokenizerError(`${loc.encoderJson}: tokenizer.json says vocab ${meta.vocab}, the model outputs ${vocab} logits`);
      }
      return new Tokenizer(loc.root, meta, encoder, decoder, inputSize, channels, grid, vocab, output, layout, meta?.inputMapping ?? { ...DALLE_MAPPING }, declared.size === null, meta?.inputNorm ?? 'none');
    } catch (err) {
      encoder.dispose();
      decoder?.dispose();
      throw err;
    }
  }

  get hasDecoder(): boolean {
    return this.decoder !== null;
  }

  /** Codes per image, row-major over the grid: unit-range NHWC images [B, S, S, C] → [B·h·w]. */
  async encodeUnit(unit: Float32Array, batch: number, size: number, channels: number): Promise<Int32Array> {
    if (channels !== this.channels && !(channels === 1 && this.channels === 3)) {
      throw new TokenizerError(`the tokenizer takes ${this.channels}-channel images; data.channels is ${channels}`);
    }
    const per = size * size * channels;
    const perCodes = this.grid[0] * this.grid[1];
    const out = new Int32Array(batch * perCodes);
    for (let start = 0; start < batch; start += CHUNK) {
      const n = Math.min(CHUNK, batch - start);
      const codes = tf.tidy(() => {
        let x: Tensor = this.inputView(unit.subarray(start * per, (start + n) * per), n, size, channels);
        x = tf.add(tf.mul(x, this.mapping.scale), this.mapping.offset);
        if (this.inputNorm === 'patch') x = this.normaliseCells(x as tf.Tensor4D).normalised;
        if (this.layout === 'nchw') x = tf.transpose(x, [0, 3, 1, 2]);
        const y = this.encoder.run(x);
        if (this.output === 'codes') return tf.cast(y, 'int32');
        return tf.argMax(y, this.layout === 'nhwc' ? 3 : 1);
      });
      out.set((await codes.data()) as Int32Array, start * perCodes);
      codes.dispose();
    }
    return out;
  }

  /** As `encodeUnit`, from dataset-normalised images (x·std + mean per channel). */
  async encodeNormalised(images: Float32Array, batch: number, size: number, norm: { mean: number[]; std: number[] }): Promise<Int32Array> {
    return this.encodeUnit(toUnit(new Float32Array(images), norm), batch, size, norm.mean.length);
  }

  /** Unit-range NHWC images [n, size, size, channels] at the tokenizer's input size and channel count. */
  private inputView(images: Float32Array, n: number, size: number, channels: number): tf.Tensor4D {
    let x: Tensor = tf.tensor4d(images, [n, size, size, channels]);
    if (channels !== this.channels) x = tf.tile(x, [1, 1, 1, this.channels]); // gray → RGB
    if (size !== this.inputSize) x = tf.image.resizeBilinear(x as tf.Tensor4D, [this.inputSize, this.inputSize], false, true);
    return x as tf.Tensor4D;
  }

  /** NHWC images [n, S, S, C] seen as grid cells [n, h, p, w, p, C] (p = S / h). */
  private cells(x: Tensor): Tensor {
    const [n, S, , C] = x.shape;
    const [h, w] = this.grid;
    return tf.reshape(x, [n, h, S / h, w, S / h, C]);
  }

  /** Per grid cell mean and std of NHWC images (unbiased variance, eps 1e-6: as normalisePatches). */
  private normaliseCells(x: tf.Tensor4D): { normalised: tf.Tensor4D; mean: tf.Tensor; std: tf.Tensor } {
    const [n, S, , C] = x.shape;
    const p = S / this.grid[0];
    const cells = this.cells(x);
    const { mean, variance } = tf.moments(cells, [2, 4, 5], true);
    const k = p * p * C;
    const std = tf.sqrt(tf.add(tf.mul(variance, k / Math.max(1, k - 1)), 1e-6));
    return { normalised: tf.reshape(tf.div(tf.sub(cells, mean), std), [n, S, S, C]) as tf.Tensor4D, mean, std };
  }

  /**
   * Codes [B·h·w] → unit-range NHWC images [B, S', S', C'] (S' the decoder's size), or null without a decoder.
   * An `inputNorm: patch` tokenizer decodes normalised cells: `reference` (unit-range NHWC images of the same
   * batch, any size) gives each cell its mean and std back, as norm-pix predictions are shown.
   */
  async decode(codes: Int32Array, batch: number, reference?: { images: Float32Array; size: number; channels: number }): Promise<{ images: Float32Array; size: number; channels: number } | null> {
    const dec = this.decoder;
    if (!dec) return null;
    if (this.inputNorm === 'patch' && !reference) throw new TokenizerError('this tokenizer decodes normalised patches: decode() needs the reference images');
    const [h, w] = this.grid;
    const parts: Float32Array[] = [];
    let shape: number[] = [];
    for (let start = 0; start < batch; start += CHUNK) {
      const n = Math.min(CHUNK, batch - start);
      const y = tf.tidy(() => {
        let z: Tensor = tf.oneHot(tf.tensor3d(codes.subarray(start * h * w, (start + n) * h * w), [n, h, w], 'int32'), this.vocab);
        if (this.layout === 'nchw') z = tf.transpose(z, [0, 3, 1, 2]);
        let img = dec.run(tf.cast(z, 'float32'));
        if (this.layout === 'nchw') img = tf.transpose(img, [0, 2, 3, 1]);
        if (this.meta?.decoderOutput === 'logit-laplace') img = tf.sigmoid(tf.slice(img, [0, 0, 0, 0], [-1, -1, -1, this.channels]));
        if (this.inputNorm === 'patch' && reference) {
          const { images, size, channels } = reference;
          const per = size * size * channels;
          const { mean, std } = this.normaliseCells(this.inputView(images.subarray(start * per, (start + n) * per), n, size, channels));
          return tf.clipByValue(tf.reshape(tf.add(tf.mul(this.cells(img), std), mean), img.shape), 0, 1);
        }
        return tf.clipByValue(tf.div(tf.sub(img, this.mapping.offset), this.mapping.scale), 0, 1);
      });
      shape = y.shape;
      parts.push((await y.data()) as Float32Array);
      y.dispose();
    }
    const images = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    parts.reduce((o, p) => (images.set(p, o), o + p.length), 0);
    return { images, size: shape[1], channels: shape[3] };
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder?.dispose();
  }
}
