"""Representation-collapse watch (src/trainer/collapse.ts): latent_std small, or rank_me fallen far below its peak,
while loss_main stops improving."""


class CollapseMonitor:
    def __init__(self, threshold, patience=50, rank_drop=0):
        """`rank_drop`: warn when rank_me falls below this fraction of its highest value while loss_main stalls (0: off)."""
        self.threshold, self.patience, self.rank_drop = threshold, patience, rank_drop
        self.best, self.since_best, self.warned = float('inf'), 0, False
        self.best_rank, self.rank_warned = 0.0, False

    def observe_rank(self, step, rank_me):
        """Called with each rank_me measurement, after `observe` for the same step; a warning the first time it drops."""
        self.best_rank = max(self.best_rank, rank_me)
        if self.rank_warned or self.rank_drop <= 0 or self.since_best < self.patience or not rank_me < self.rank_drop * self.best_rank:
            return None
        self.rank_warned = True
        return (f'possible dimensional collapse at step {step}: rank_me {rank_me:.3g} < {self.rank_drop} × its peak {self.best_rank:.3g} '
                f"while loss_main has not improved for {self.since_best} steps (the encoder's features span fewer directions; "
                'try an EMA teacher, teacher.momentum 0.996)')

    def observe(self, step, loss_main, latent_std):
        """A warning the first time collapse is detected, else None."""
        if loss_main < self.best * 0.99:
            self.best, self.since_best = loss_main, 0
        else:
            self.since_best += 1
        if self.warned or latent_std is None or self.threshold <= 0:
            return None
        if latent_std < self.threshold and self.since_best >= self.patience:
            self.warned = True
            return (f'possible representation collapse at step {step}: latent_std {latent_std:.3g} < {self.threshold} '
                    f'while loss_main has not improved for {self.since_best} steps (try a lower train.lr, model.layerScale 0.1, or random masking)')
        return None
