// Turns a trained VqVae into standard TF.js LayersModels that take images, not patch rows, so it loads and runs
// exactly like any other TF.js tokenizer (a converted DALL-E encoder included):
//   encoder: image [S, S, C] (mapped) → Conv2D(k = s = p) ≡ the first patch-wise dense layer → Dense → Dense
//            → Dense(V, no bias, kernel = codebookᵀ) = cosine logits up to ‖z‖ (argmax unchanged) → [h, w, V]
//   decoder: one-hot codes [h, w, V] → Dense(D, no bias, kernel = codebook) → MLP → patches [h, w, p·p·C]
//            → reshape/permute → image [S, S, C] (mapped)
import { tf } from '../ml/tf';
import type { VqVae } from './vq';

export interface ImageGeometry {
  inputSize: number;
  /** Tokenizer patch side (inputSize / grid). */
  patchSize: number;
  channels: number;
}

async function values(store: VqVae['encoder'], name: string): Promise<tf.Tensor> {
  return tf.tensor(await store.get(name).data(), store.get(name).shape);
}

export async function buildEncoderModel(vq: VqVae, g: ImageGeometry): Promise<tf.LayersModel> {
  const { hidden: H, codeDim: D, vocab: V } = vq.spec;
  const { inputSize: S, patchSize: p, channels: C } = g;
  const m = tf.sequential({ name: 'vq_encoder' });
  // Patch rows are ordered (row, col, channel), which is exactly a [p, p, C, H] conv kernel flattened.
  m.add(tf.layers.conv2d({ name: 'patch_fc1', inputShape: [S, S, C], filters: H, kernelSize: p, strides: p, padding: 'valid', activation: 'relu' }));
  m.add(tf.layers.dense({ name: 'fc2', units: H, activation: 'relu' }));
  m.add(tf.layers.dense({ name: 'fc3', units: D }));
  m.add(tf.layers.dense({ name: 'code_logits', units: V, useBias: false }));
  const e = vq.encoder;
  const w = [
    tf.reshape(await values(e, 'fc1.w'), [p, p, C, H]), await values(e, 'fc1.b'),
    await values(e, 'fc2.w'), await values(e, 'fc2.b'), await values(e, 'fc3.w'), await values(e, 'fc3.b'),
    tf.transpose(tf.tensor2d(vq.codebook, [V, D])),
  ];
  m.setWeights(w);
  tf.dispose(w);
  return m;
}

export async function buildDecoderModel(vq: VqVae, g: ImageGeometry): Promise<tf.LayersModel> {
  const { hidden: H, codeDim: D, vocab: V } = vq.spec;
  const { inputSize: S, patchSize: p, channels: C } = g;
  const h = S / p;
  const m = tf.sequential({ name: 'vq_decoder' });
  m.add(tf.layers.dense({ name: 'codebook', inputShape: [h, h, V], units: D, useBias: false }));
  m.add(tf.layers.dense({ name: 'fc1', units: H, activation: 'relu' }));
  m.add(tf.layers.dense({ name: 'fc2', units: H, activation: 'relu' }));
  m.add(tf.layers.dense({ name: 'fc3', units: p * p * C }));
  // [h, w, (y, x, c)] → [h, w, y, x·C] → [h, y, w, x·C] → [S, S, C]: patches back into the image.
  m.add(tf.layers.reshape({ targetShape: [h, h, p, p * C] }));
  m.add(tf.layers.permute({ dims: [1, 3, 2, 4] }));
  m.add(tf.layers.reshape({ targetShape: [S, S, C] }));
  const d = vq.decoder;
  const w = [
    tf.tensor2d(vq.codebook, [V, D]),
    await values(d, 'fc1.w'), await values(d, 'fc1.b'), await values(d, 'fc2.w'), await values(d, 'fc2.b'),
    await values(d, 'fc3.w'), await values(d, 'fc3.b'),
  ];
  m.setWeights(w);
  tf.dispose(w);
  return m;
}
