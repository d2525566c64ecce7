// Representation-collapse watch (DESIGN.md §3): the teacher's latents becoming near-constant (latent_std
// small) while loss_main stops improving means the alignment loss is being won trivially.

export class CollapseMonitor {
  private best = Infinity;
  private sinceBest = 0;
  private warned = false;
  private bestRank = 0;
  private rankWarned = false;

  /**
   * `patience`: steps without a 1% improvement of loss_main that count as "not improving".
   * `rankDrop`: warn when rank_me falls below this fraction of its highest value while loss_main stalls (0: off).
   */
  constructor(private readonly threshold: number, private readonly patience = 50, private readonly rankDrop = 0) {}

  /** Called with each rank_me measurement, after `observe` for the same step; a warning the first time it drops. */
  observeRank(step: number, rankMe: number): string | null {
    this.bestRank = Math.max(this.bestRank, rankMe);
    if (this.rankWarned || this.rankDrop <= 0 || this.sinceBest < this.patience || !(rankMe < this.rankDrop * this.bestRank)) return null;
    this.rankWarned = true;
    return `possible dimensional collapse at step ${step}: rank_me ${rankMe.toPrecision(3)} < ${this.rankDrop} × its peak ${this.bestRank.toPrecision(3)} `
      + `while loss_main has not improved for ${this.sinceBest} steps (the encoder's features span fewer directions; try an EMA teacher, teacher.momentum 0.996)`;
  }

  /** Returns a warning the first time collapse is detected, else null. */
  observe(step: number, lossMain: number, latentStd: number | null): string | null {
    if (lossMain < this.best * 0.99) {
      this.best = lossMain;
      this.sinceBest = 0;
    } else {
      this.sinceBest += 1;
    }
    if (this.warned || latentStd === null || this.threshold <= 0) return null;
    if (latentStd < this.threshold && this.sinceBest >= this.patience) {
      this.warned = true;
      return `possible representation collapse at step ${step}: latent_std ${latentStd.toPrecision(3)} < ${this.threshold} `
        + `while loss_main has not improved for ${this.sinceBest} steps (try a lower train.lr, model.layerScale 0.1, or random masking)`;
    }
    return null;
  }
}
