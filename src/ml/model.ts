// What the trainer needs from a masked-image model, whichever algorithm it is.
import type { MimInputs } from './inputs';
import type { ModelSpec } from './model-spec';
import type { ParamStore } from './params';
import type { Scalar, Tensor, Tensor2D } from './tf';

export interface LossParts {
  loss: Scalar;
  main: Scalar;
  /** Latent alignment MSE (CAE); null for MAE. */
  align: Scalar | null;
  /** Token accuracy on the masked patches (token targets only; no gradient). */
  acc?: Scalar | null;
  /** data2vec's pred_var of the regressor's predictions (CAE; no gradient is taken through it). */
  predVar?: Scalar | null;
}

export interface MimModel {
  readonly spec: ModelSpec;
  readonly encoder: ParamStore;
  /** Stores trained by gradients, by name (checkpoint sections). */
  readonly trainable: Record<string, ParamStore>;
  /** Stores updated without gradients (the CAE teacher). */
  readonly frozen: Record<string, ParamStore>;
  /** The encoder's fixed 2-D sin-cos position table [N, D]. */
  readonly pos: Float32Array;
  /** Encoder on the visible patches (+cls), with the step's drop path → [B·(1+Nv), D]. */
  encodeVisible(inp: MimInputs, capture?: Tensor[]): Tensor2D;
  /** Encoder on all patches in [visible…, masked…] order (+cls), no drop path → [B·(1+N), D]. */
  encodeAll(inp: MimInputs, capture?: Tensor[]): Tensor2D;
  /** The masked patches' prediction in target space [B·Nm, P or V]; `capture` collects the regressor's attention (CAE). */
  predictMasked(inp: MimInputs, capture?: Tensor[]): Tensor2D;
  /**
   * CAE: encoder outputs at the masked positions (from `encodeAll`) decoded directly, regressor removed [B·Nm, P or V];
   * null where the algorithm has no such path (MAE).
   */
  decodeEncoderLatents(all: Tensor2D, inp: MimInputs): Tensor2D | null;
  /**
   * Work before the gradient tape (teacher targets). Returns kept tensors consumed by `losses` and the
   * collapse signal `latentStd` and data2vec's `targetVar` of the alignment target (null without a latent target).
   */
  prepare(inp: MimInputs): { targets: Tensor[]; latentStd: Scalar | null; targetVar?: Scalar | null };
  /** The loss; called inside the gradient tape. */
  losses(inp: MimInputs, targets: Tensor[]): LossParts;
  /** After the optimizer step (teacher momentum update; `teacherMomentum` from the schedule, else the spec's). */
  afterStep(teacherMomentum?: number): void;
  dispose(): void;
}

export function allStores(m: MimModel): Record<string, ParamStore> {
  return { ...m.trainable, ...m.frozen };
}
