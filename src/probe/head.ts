// What the probe training loop needs from a classifier on frozen features, whichever probe it is.
import type { Tensor, Tensor2D, Variable } from '../ml/tf';

export interface ProbeHead {
  /** The trainable variables, and nothing else: the only ones the optimizer and the gradient tape see. */
  readonly params: readonly Variable[];
  /** Logits [B, C] from one batch of inputs (built by the probe's batcher). Train mode uses batch statistics. */
  logits(inputs: readonly Tensor[], batch: number, train: boolean): Tensor2D;
  /** After an optimizer step: fold the batch statistics of the last train-mode call into the running ones. */
  afterStep(): void;
  dispose(): void;
}

/** Builds the input tensors of a batch from sample indices (CPU arrays → tensors; the caller disposes). */
export interface Batcher {
  readonly n: number;
  readonly labels: Int32Array;
  make(indices: Int32Array): Tensor[];
}

/** Copies rows `indices` of a row-major [n, width] array. */
export function takeRows(src: Float32Array, width: number, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * width);
  for (let j = 0; j < indices.length; j++) out.set(src.subarray(indices[j] * width, (indices[j] + 1) * width), j * width);
  return out;
}
