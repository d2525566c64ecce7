// Teacher momentum schedule (I-JEPA's momentum_scheduler, data2vec 2.0's ema_anneal): the m of
// θ_t ← m·θ_t + (1−m)·θ_e for the update made after step `step` (0-based). Pure, like schedule.ts.

export type TeacherScheduleKind = 'constant' | 'linear' | 'cosine';
export const TEACHER_SCHEDULES: readonly TeacherScheduleKind[] = ['constant', 'linear', 'cosine'];

export interface TeacherSchedule {
  kind: TeacherScheduleKind;
  /** Momentum of the first update (`teacher.momentum`; 0 = a copy, the CAE paper). */
  start: number;
  /** Momentum of the last update (`teacher.momentumEnd`); ignored by `constant`. */
  end: number;
  /** Total training steps; updates are counted 0 … steps − 1. */
  steps: number;
}

/** Throws a RangeError naming the `teacher.*` / `train.steps` key if the schedule is unusable. */
export function validateTeacherSchedule(s: TeacherSchedule): void {
  if (!TEACHER_SCHEDULES.includes(s.kind)) throw new RangeError(`teacher.schedule must be one of ${TEACHER_SCHEDULES.join(', ')}, got ${JSON.stringify(s.kind)}`);
  if (!(s.start >= 0 && s.start <= 1)) throw new RangeError(`teacher.momentum must be in [0, 1], got ${s.start}`);
  if (!(s.end >= 0 && s.end <= 1)) throw new RangeError(`teacher.momentumEnd must be in [0, 1], got ${s.end}`);
  if (!(Number.isInteger(s.steps) && s.steps >= 1)) throw new RangeError(`train.steps must be an integer ≥ 1, got ${s.steps}`);
}

/**
 * Momentum of the update after `step`. Progress t = step / (steps − 1): the first update uses `start`, the last
 * exactly `end` (I-JEPA's generator divides by 1.25× the run so it never quite reaches 1; we reach it on the last
 * update, which then freezes the teacher only for the step that ends the run). Steps past the end keep `end`.
 * - constant: `start` itself (bit-identical to a fixed teacher.momentum)
 * - linear: start + (end − start)·t (I-JEPA)
 * - cosine: end − (end − start)·(1 + cos πt)/2 (BYOL's τ schedule)
 */
export function teacherMomentumAt(step: number, s: TeacherSchedule): number {
  validateTeacherSchedule(s);
  if (!(Number.isFinite(step) && step >= 0)) throw new RangeError(`teacher schedule step must be a finite number ≥ 0, got ${step}`);
  if (s.kind === 'constant') return s.start;
  const t = Math.min(1, step / Math.max(1, s.steps - 1));
  if (s.kind === 'linear') return s.start + (s.end - s.start) * t;
  return s.end - (s.end - s.start) * 0.5 * (1 + Math.cos(Math.PI * t));
}
