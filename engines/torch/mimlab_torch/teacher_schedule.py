"""Teacher momentum schedule (src/ml/teacher-schedule.ts; I-JEPA's momentum_scheduler, data2vec 2.0's ema_anneal):
the m of θ_t ← m·θ_t + (1−m)·θ_e for the update made after step `step` (0-based). Pure, like schedule.py."""
import math
from dataclasses import dataclass

SCHEDULES = ('constant', 'linear', 'cosine')


@dataclass(frozen=True)
class TeacherSchedule:
    kind: str  # constant | linear | cosine
    start: float  # teacher.momentum: the first update's (0 = a copy, the CAE paper)
    end: float  # teacher.momentumEnd: the last update's (ignored by constant)
    steps: int  # train.steps; updates are counted 0 … steps − 1


def teacher_schedule_of(config):
    """The config's schedule; configs from before teacher.schedule existed are constant."""
    t = config['teacher']
    return TeacherSchedule(t.get('schedule', 'constant'), t['momentum'], t.get('momentumEnd', 1), config['train']['steps'])


def teacher_momentum_at(step, s):
    """Progress t = step / (steps − 1): the first update uses `start`, the last exactly `end`; later steps keep `end`.
    constant: start; linear: start + (end − start)·t; cosine: end − (end − start)·(1 + cos πt)/2."""
    if s.kind == 'constant':
        return s.start
    t = min(1, step / max(1, s.steps - 1))
    if s.kind == 'linear':
        return s.start + (s.end - s.start) * t
    return s.end - (s.end - s.start) * 0.5 * (1 + math.cos(math.pi * t))
