// Learning-rate schedule: linear warmup, then half-cycle cosine down to minLr (MAE's
// util/lr_sched.adjust_learning_rate, per step instead of per fractional epoch). Pure.

export interface LrSchedule {
  /** Peak learning rate, reached at the last warmup step. */
  lr: number;
  /** Learning rate at the last step (steps − 1), when warmupSteps < steps. */
  minLr: number;
  warmupSteps: number;
  /** Total training steps; steps are counted 0 … steps − 1. */
  steps: number;
}

/** Throws a RangeError naming the `train.*` key if the schedule is unusable. */
export function validateLrSchedule(s: LrSchedule): void {
  if (!(Number.isFinite(s.lr) && s.lr >= 0)) throw new RangeError(`train.lr must be a finite number ≥ 0, got ${s.lr}`);
  if (!(Number.isFinite(s.minLr) && s.minLr >= 0 && s.minLr <= s.lr)) {
    throw new RangeError(`train.minLr (${s.minLr}) must be in [0, train.lr (${s.lr})]`);
  }
  if (!(Number.isInteger(s.steps) && s.steps >= 1)) throw new RangeError(`train.steps must be an integer ≥ 1, got ${s.steps}`);
  // warmupSteps ≥ steps is allowed (a short debug run of a long-warmup preset): it just never peaks.
  if (!(Number.isInteger(s.warmupSteps) && s.warmupSteps >= 0)) {
    throw new RangeError(`train.warmupSteps must be an integer ≥ 0, got ${s.warmupSteps}`);
  }
}

/**
 * Learning rate for the update made at `step` (0-based).
 * - Warmup (step < W): lr·(step + 1)/W. MAE's lr·epoch/W would give 0 at step 0, wasting the first
 *   update; shifting by one makes step 0 use lr/W and step W − 1 the full lr.
 * - Decay (step ≥ W): one half-cosine anchored at the peak (step W − 1, progress 0) and ending at the
 *   last step (steps − 1, progress 1) with exactly minLr. With W = 0 the anchor is step −1, so step 0
 *   is just below lr.
 * Steps past the end stay at minLr. Non-decreasing in warmup, non-increasing after.
 */
export function lrAt(step: number, s: LrSchedule): number {
  validateLrSchedule(s);
  if (!(Number.isFinite(step) && step >= 0)) throw new RangeError(`lr schedule step must be a finite number ≥ 0, got ${step}`);
  const { lr, minLr, warmupSteps: w, steps } = s;
  if (step < w) return (lr * (step + 1)) / w;
  const span = steps - w; // ≥ 1 whenever a step ≥ w exists inside the run
  const t = Math.min(1, (step - w + 1) / Math.max(1, span));
  return minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
}
