"""rank_me during pretraining (src/trainer/rank-signal.ts, issue 18): RankMe of the encoder's mean-pooled patch
tokens (all patches visible, centre views) on a fixed batch of test images — the sample batch's seeded order,
monitor.rankImages long — every monitor.rankEvery steps and at the last step. Evaluation only: no drop path, no
parameter writes, no training RNG, so the run's trajectory is unchanged."""
import numpy as np
import torch

from .data.transforms import centre_view, normalise
from .data.types import CorruptImage
from .diagnostics.sampler import sample_indices
from .features import encode_images
from .signals import rank_me

BATCH = 256  # images per forward pass, as the TS feature extractor


def is_rank_step(step, config):
    """Whether `step` (1-based, after the update) logs rank_me."""
    every = config['monitor'].get('rankEvery', 0)
    return every > 0 and (step % every == 0 or step == config['train']['steps'])


class RankSignal:
    def __init__(self, config, dataset, norm):
        self.config, self.dataset, self.norm = config, dataset, norm
        self.images = None

    def _fixed_images(self):
        """The fixed images' normalised centre views, read once; unreadable ones are left out (as the TS)."""
        c, test = self.config, self.dataset.test
        views = []
        for i in sample_indices(len(test), c['monitor']['rankImages'], c['train']['seed']):
            try:
                img = test.read(i)
            except CorruptImage:
                continue
            views.append(normalise(centre_view(img, c['data']['imageSize'], c['data']['channels']), self.norm['mean'], self.norm['std']))
        return np.stack(views)

    @torch.no_grad()
    def measure(self, model):
        """RankMe of the current encoder on the fixed batch; ≤ min(images, model.dim)."""
        if self.images is None:
            self.images = self._fixed_images()
        pooled = [encode_images(model, self.images[s:s + BATCH])[:, 1:].mean(1).float().cpu().numpy() for s in range(0, len(self.images), BATCH)]
        return rank_me(np.concatenate(pooled))
