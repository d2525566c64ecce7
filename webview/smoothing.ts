// Exponential moving average as TensorBoard draws it (debiased at the start); gaps (null) stay gaps.

export interface EmaState {
  last: number;
  weight: number;
}

export function emaStart(): EmaState {
  return { last: 0, weight: 0 };
}

/** Smooths `values` continuing from `state` (mutated), so appended points are smoothed incrementally. */
export function emaSmooth(values: readonly (number | null)[], alpha: number, state: EmaState = emaStart()): (number | null)[] {
  const a = Math.max(0, Math.min(0.999, alpha));
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    state.last = state.last * a + (1 - a) * v;
    state.weight = state.weight * a + (1 - a);
    return state.last / state.weight;
  });
}
