// The training-time sampler (a StepHook): before the first step, every `sample.every` steps, at the last step and
// when the run is stopped, reconstructions and attention maps of the fixed sample batch go to `samples/<step>/` and a `sample` event goes to the reporter.
// It only reads the model (evaluation pass, see diagnostics/eval-forward.ts) and the test split, so training is unchanged.
import { join } from 'node:path';
import type { Config } from '../config/schema';
import { RUN_FILES } from '../protocol/run-files';
import { sampleDirName } from '../protocol/samples';
import type { StepHook, TrainContext } from './pretrain';
import { removeStaleTemporaries } from '../diagnostics/publish-dir';
import { loadSampleBatch, type SampleBatch } from '../diagnostics/sample-batch';
import { computeSample } from '../diagnostics/sample-step';
import { writeSampleDir } from '../diagnostics/write-sample';
import type { SampleTokenizer } from '../diagnostics/token-samples';

/** Whether `step` (1-based, after the update) is a sample step of this config. */
export function isSampleStep(step: number, config: Config): boolean {
  const every = config.sample.every;
  return every > 0 && (step % every === 0 || step === config.train.steps);
}

/** Computes and writes one sample; returns the folder (relative to the run) and its files. */
export async function writeSample(ctx: TrainContext, batch: SampleBatch, step: number, tokens?: SampleTokenizer): Promise<{ dir: string; files: string[]; ms: number }> {
  const t0 = performance.now();
  const { manifest, files } = await computeSample(ctx.model, batch, step, tokens);
  manifest.elapsedMs = Math.round(performance.now() - t0); // the write itself is a few ms more
  const names = writeSampleDir(ctx.run.dir, manifest, files);
  return { dir: `${RUN_FILES.samples}/${sampleDirName(step)}`, files: names, ms: performance.now() - t0 };
}

/**
 * A sampler hook for one run. The sample batch is loaded on first use and kept. A failure is logged as a
 * warning and never stops training: diagnostics must not cost a long run. Step 0 shows the untrained model
 * (the baseline every later strip is read against); a stop adds the state it stopped in.
 */
export function createSampler(): StepHook {
  let batch: SampleBatch | null = null;
  let tokens: SampleTokenizer | undefined; // token targets: the fixed batch's codes, computed once
  let lastSampled = -1;
  return async (step, ctx, moment) => {
    const due = moment === 'step' ? isSampleStep(step, ctx.config) : moment === 'start' || step !== lastSampled;
    if (ctx.config.sample.every <= 0 || !due) return;
    lastSampled = step;
    try {
      if (!batch) {
        removeStaleTemporaries(join(ctx.run.dir, RUN_FILES.samples)); // e.g. from a run killed mid-write, now resumed
        batch = await loadSampleBatch(ctx.config, ctx.dataset, ctx.norm);
      }
      if (ctx.tokenizer && !tokens) {
        tokens = { tokenizer: ctx.tokenizer, codes: await ctx.tokenizer.encodeNormalised(batch.images, batch.indices.length, ctx.config.data.imageSize, batch.norm) };
      }
      const r = await writeSample(ctx, batch, step, tokens);
      ctx.reporter.emit({ type: 'sample', sample: { step, dir: r.dir, files: r.files } });
    } catch (err) {
      const message = `sampling at step ${step} failed: ${err instanceof Error ? err.message : String(err)}`;
      ctx.run.log(`warn: ${message}`);
      ctx.reporter.emit({ type: 'log', level: 'warn', message });
    }
  };
}

/** Hooks for `JobContext.hooks`: the sampler when `sample.every` > 0. */
export function diagnosticHooks(config: Config): StepHook[] {
  return config.sample.every > 0 ? [createSampler()] : [];
}
