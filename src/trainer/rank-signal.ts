// rank_me during pretraining (issue 18): RankMe of the encoder's mean-pooled features (all patches visible,
// centre views) on a fixed batch of test images, every `monitor.rankEvery` steps and at the last step.
// Evaluation only: no drop path, no variable writes, no training RNG, so the run's trajectory is unchanged.
import type { Config } from '../config/schema';
import type { Normalisation } from '../data/stats';
import { CorruptImageError, type Dataset, type RawImage, type Split } from '../data/types';
import { sampleIndices } from '../diagnostics/sample-batch';
import type { MimModel } from '../ml/model';
import { rankMe } from '../ml/signals';
import { extractSplit } from '../diagnostics/features';

/** Whether `step` (1-based, after the update) logs rank_me. */
export function isRankStep(step: number, config: Config): boolean {
  const every = config.monitor.rankEvery;
  return every > 0 && (step % every === 0 || step === config.train.steps);
}

/** The fixed images, read once (unreadable ones left out), as a split the feature extractor can walk. */
async function fixedSplit(split: Split, indices: number[]): Promise<Split> {
  const items: { img: RawImage; label: number }[] = [];
  for (const i of indices) {
    try {
      items.push({ img: await split.read(i), label: split.label(i) });
    } catch (err) {
      if (!(err instanceof CorruptImageError)) throw err;
    }
  }
  return { length: items.length, label: (i) => items[i].label, read: async (i) => items[i].img };
}

export class RankSignal {
  private split: Split | null = null;

  constructor(private readonly config: Config, private readonly dataset: Dataset, private readonly norm: Normalisation) {}

  /** RankMe of the current encoder on the fixed batch; ≤ min(images, model.dim). */
  async measure(model: MimModel): Promise<number> {
    const c = this.config;
    // The sample batch's seeded order, longer: the sample images are among these.
    this.split ??= await fixedSplit(this.dataset.test, sampleIndices(this.dataset.test.length, c.monitor.rankImages, c.train.seed));
    const enc = { store: model.encoder, spec: model.spec.encoder, geometry: model.spec.geometry, pos: model.pos };
    const view = { imageSize: c.data.imageSize, channels: c.data.channels, mean: this.norm.mean, std: this.norm.std };
    const f = await extractSplit(enc, this.split, view, Math.min(256, this.split.length), false);
    return rankMe(f.mean, f.n, model.spec.encoder.dim);
  }
}
