"""Learning rate for the update made at `step` (0-based): linear warmup to lr, then half-cosine to min_lr (src/ml/schedule.ts)."""
import math


def lr_at(step, lr, min_lr, warmup, steps):
    if step < warmup:
        return lr * (step + 1) / warmup
    t = min(1, (step - warmup + 1) / max(1, steps - warmup))
    return min_lr + (lr - min_lr) * 0.5 * (1 + math.cos(math.pi * t))
