"""Representation-collapse watch (src/trainer/collapse.ts): latent_std small while loss_main stops improving."""


class CollapseMonitor:
    def __init__(self, threshold, patience=50):
        self.threshold, self.patience = threshold, patience
        self.best, self.since_best, self.warned = float('inf'), 0, False

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
