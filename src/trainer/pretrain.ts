// The pretraining job: validate → create the run folder → train with checkpoints, metrics and status →
// completed / stopped / diverged / failed. Resume continues a run folder from its latest checkpoint.
import type { Config } from '../config/schema';
import { configChanges } from '../config/diff';
import { validateConfig } from '../config/resolve';
import { openDataset } from '../data/open';
import { trainingBatches } from '../data/loader-thread';
import { epochOf } from '../data/pipeline';
import { resolveNormalisation } from '../data/stats';
import type { Dataset } from '../data/types';
import { initBackend, type BackendChoice } from '../ml/backend';
import { createModel } from '../ml/create-model';
import { buildInputs, disposeInputs, sliceMasks, type MimInputs } from '../ml/inputs';
import { generateMasks } from '../ml/masking';
import { maskSpecOf } from '../ml/mask-spec';
import type { MimModel } from '../ml/model';
import { modelSpecFromConfig } from '../ml/model-spec';
import { AdamW } from '../ml/optimizer';
import { lrAt } from '../ml/schedule';
import { teacherMomentumAt } from '../ml/teacher-schedule';
import { trainStep, type StepResult } from '../ml/train-step';
import { isAutoTokenizer, resolveTokenizer, usesTokens, type ResolvedTokenizer } from '../tokenizer/targets';
import type { Tokenizer } from '../tokenizer/tokenizer';
import { PROTOCOL_VERSION } from '../protocol/events';
import { RUN_FILES, type MetricsRow, type RunState, type RunStatus } from '../protocol/run-files';
import { listCheckpoints, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { CollapseMonitor } from './collapse';
import { isRankStep, RankSignal } from './rank-signal';
import { exportState, importState } from './model-state';
import type { Reporter } from './reporter';
import { createRunDir, RunFolder } from './run-folder';
import type { StopSignal } from './stop';

/**
 * Diagnostics (e.g. the sampler) hook into training here; they must not touch the training RNG.
 * 'start': a fresh run before its first step (step 0); 'step': after each step; 'stop': the run was stopped
 * after `step` (so the last state can be looked at too).
 */
export type HookMoment = 'start' | 'step' | 'stop';
export type StepHook = (step: number, ctx: TrainContext, moment: HookMoment) => Promise<void>;

export interface TrainContext {
  config: Config;
  model: MimModel;
  dataset: Dataset;
  norm: { mean: number[]; std: number[] };
  run: RunFolder;
  reporter: Reporter;
  /** The run's tokenizer (loss.target = tokens), for decoding predicted tokens in diagnostics. */
  tokenizer?: Tokenizer | null;
}

export interface PretrainJob {
  config: Config;
  /** New run: created under runsDir. Resume: the existing folder. */
  runsDir?: string;
  name?: string;
  resumeDir?: string;
  reporter: Reporter;
  stop: StopSignal;
  hooks?: StepHook[];
}

/** Inputs of one step, split into micro-batches when train.microBatch is set; `codes` [B·N] for token targets. */
function stepInputs(c: Config, model: MimModel, images: Float32Array, step: number, codes?: Int32Array): MimInputs[] {
  const B = c.train.batchSize;
  const masks = generateMasks(maskSpecOf(c), B, c.train.seed, step);
  const micro = c.train.microBatch > 0 ? c.train.microBatch : B;
  const per = model.spec.geometry.imageSize ** 2 * model.spec.geometry.channels;
  const out: MimInputs[] = [];
  for (let s = 0; s < B; s += micro) {
    const tokens = codes && { codes: codes.subarray(s * masks.N, (s + micro) * masks.N), vocab: model.spec.vocabSize };
    out.push(buildInputs(images.subarray(s * per, (s + micro) * per), sliceMasks(masks, s, micro), model.spec.geometry,
      c.loss.normPix, { seed: c.train.seed, step }, tokens));
  }
  return out;
}

interface Prepared {
  config: Config;
  backend: BackendChoice;
  dataset: Dataset;
  tokens: ResolvedTokenizer | null;
}

/**
 * Everything a user can get wrong is checked before the run folder exists (an InputError: exit 2, nothing left
 * behind). Once it exists, any failure is recorded in it: status `failed`, the reason in the log and the `done`
 * event, the stack trace in log.txt only.
 */
export async function runPretrain(job: PretrainJob): Promise<{ runDir: string; state: RunState }> {
  let config = validateConfig(job.config);
  const dataset = await openDataset(config); // refuses a bad dataset (missing, empty split, nothing decodes)
  const backend = await initBackend(config.backend);
  // Token targets: a given tokenizer is loaded and its grid checked before any run folder exists.
  const tokens: ResolvedTokenizer | null = usesTokens(config) && !isAutoTokenizer(config) ? await resolveTokenizer(config, dataset, null, () => {}) : null;
  if (tokens) config = tokens.config;
  const runDir = job.resumeDir ?? createRunDir(job.runsDir ?? '.mimlab/runs', job.name ?? config.preset);
  try {
    return await trainInFolder(job, { config, backend, dataset, tokens }, runDir);
  } catch (err) {
    recordSetupFailure(new RunFolder(runDir), config, backend.name, err, job.reporter);
    tokens?.tokenizer.dispose();
    return { runDir, state: 'failed' };
  }
}

/** A failure before the training loop started (normalisation, model, checkpoint): the folder says so. */
function recordSetupFailure(run: RunFolder, config: Config, backend: string, err: unknown, reporter: Reporter): void {
  const error = `run setup failed: ${err instanceof Error ? err.message : String(err)}`;
  run.logError(error, err);
  let previous: RunStatus | null = null;
  try {
    previous = run.readStatus();
  } catch {
    previous = null; // unreadable: replaced below
  }
  const now = new Date().toISOString();
  const status: RunStatus = {
    kind: 'pretrain', algorithm: config.algorithm, step: 0, totalSteps: config.train.steps, epoch: 0, startedAt: now, checkpointStep: 0,
    ...previous, state: 'failed', pid: process.pid, backend, updatedAt: now, error,
  };
  run.writeStatus(status);
  reporter.emit({ type: 'log', level: 'error', message: error });
  reporter.emit({ type: 'status', status });
  reporter.emit({ type: 'done', job: 'pretrain', state: 'failed', runDir: run.dir, error });
}

async function trainInFolder(job: PretrainJob, prepared: Prepared, runDir: string): Promise<{ runDir: string; state: RunState }> {
  const { backend, dataset } = prepared;
  let { config, tokens } = prepared;
  const run = new RunFolder(runDir);
  if (!job.resumeDir) run.writeConfig(config);
  const { reporter, stop } = job;
  const log = (level: 'info' | 'warn' | 'error', message: string): void => {
    run.log(`${level}: ${message}`);
    reporter.emit({ type: 'log', level, message });
  };
  reporter.emit({ type: 'hello', version: PROTOCOL_VERSION, pid: process.pid, job: 'pretrain', runDir, backend: backend.name });
  log('info', `run folder: ${runDir}`);
  if (job.resumeDir) {
    // A resume with overrides (--set, --backend) runs another config: config.json must say what runs now.
    const changes = configChanges(run.readConfig(), config);
    if (changes.length) {
      run.writeConfig(config);
      log('info', `resume changed the config (config.json rewritten): ${changes.join('; ')}`);
    }
  }
  log('info', `backend: ${backend.name}${backend.skipped.length ? ` (skipped: ${backend.skipped.map((s) => s.name).join(', ')})` : ''}`);
  if (usesTokens(config) && !tokens) {
    try {
      tokens = await resolveTokenizer(config, dataset, runDir, (m) => log('info', m), reporter.progress?.bind(reporter)); // tokenizer.path=auto
    } catch (err) {
      log('error', `tokenizer: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    config = tokens.config;
    run.writeConfig(config); // records the trained tokenizer's path, so resume and probes find it
  }
  if (tokens) log('info', `token targets: ${tokens.tokenizer.vocab} codes on a ${tokens.tokenizer.grid.join('×')} grid from ${tokens.tokenizer.path}`);

  const norm = await resolveNormalisation(config, dataset, runDir);
  const model = createModel(modelSpecFromConfig(config));
  const opt = new AdamW(model.trainable, { beta1: config.train.beta1, beta2: config.train.beta2, eps: 1e-8, weightDecay: config.train.weightDecay });
  const ckptRoot = run.path(RUN_FILES.checkpoints);
  let step = 0;
  const resumeFrom = job.resumeDir ? listCheckpoints(ckptRoot).pop() : undefined;
  if (resumeFrom !== undefined) {
    const ck = loadCheckpoint(ckptRoot, resumeFrom);
    importState(model, opt, ck.arrays, ck.meta.optimizerT, `checkpoint ${resumeFrom}`);
    step = ck.meta.step;
    log('info', `resumed from checkpoint at step ${step}`);
  }
  if (job.resumeDir) run.truncateMetrics(step);
  const firstStep = step; // for the progress line's img/s of a resumed run

  const B = config.train.batchSize;
  const loader = trainingBatches(config, dataset.train, {
    batchSize: B, imageSize: config.data.imageSize, channels: config.data.channels, mean: norm.mean, std: norm.std,
    seed: config.train.seed, augment: { cropScale: config.data.cropScale, hflip: config.data.hflip }, prefetch: config.data.prefetch, purpose: 'pretrain',
  }, (m) => log('warn', m));
  log('info', `training batches are made on the ${loader.thread} thread`);
  const startedAt = new Date().toISOString();
  const warnings: string[] = [];
  let checkpointStep = resumeFrom ?? 0;
  const status = (state: RunState, error?: string): RunStatus => ({
    state, kind: 'pretrain', algorithm: config.algorithm, step, totalSteps: config.train.steps,
    epoch: epochOf(step, B, dataset.train.length), pid: process.pid, backend: backend.name, engine: 'tfjs', startedAt,
    updatedAt: new Date().toISOString(), checkpointStep, ...(error ? { error } : {}),
    ...(warnings.length ? { warnings: [...warnings] } : {}), skippedImages: loader.skipped,
  });
  const publish = (state: RunState, error?: string): void => {
    const s = status(state, error);
    run.writeStatus(s);
    reporter.emit({ type: 'status', status: s });
  };
  const checkpoint = async (): Promise<void> => {
    const { arrays, optimizerT } = await exportState(model, opt);
    saveCheckpoint(ckptRoot, {
      step, epoch: epochOf(step, B, dataset.train.length), optimizerT, config, rng: { seed: config.train.seed, step }, createdAt: new Date().toISOString(),
    }, arrays, config.train.keepCheckpoints);
    checkpointStep = step;
    reporter.emit({ type: 'checkpoint', step });
  };

  const ctx: TrainContext = { config, model, dataset, norm, run, reporter, tokenizer: tokens?.tokenizer ?? null };
  const collapse = new CollapseMonitor(config.monitor.collapseStd, undefined, config.monitor.rankDrop);
  const rankSignal = new RankSignal(config, dataset, norm);
  const teacherSchedule = { kind: config.teacher.schedule, start: config.teacher.momentum, end: config.teacher.momentumEnd, steps: config.train.steps };
  let lastStatusAt = 0;
  let lastSkipped = loader.skipped;
  publish('running');
  let final: RunState = 'completed';
  let error: string | undefined;
  const runHooks = async (moment: HookMoment): Promise<void> => {
    for (const hook of job.hooks ?? []) await hook(step, ctx, moment);
  };
  try {
    if (step === 0) await runHooks('start');
    while (step < config.train.steps) {
      // On wasm a step only awaits microtasks; yield to the event loop so signals and IPC `stop` get through.
      await new Promise((resolve) => setImmediate(resolve));
      if (stop.requested) {
        final = 'stopped';
        break;
      }
      const t0 = performance.now();
      const batch = await loader.batch(step);
      const lr = lrAt(step, { lr: config.train.lr, minLr: config.train.minLr, warmupSteps: config.train.warmupSteps, steps: config.train.steps });
      // Token targets are recomputed per batch: random crops change every step, so there is nothing to reuse.
      const codes = tokens ? await tokens.tokenizer.encodeNormalised(batch.images, B, config.data.imageSize, norm) : undefined;
      const inputs = stepInputs(config, model, batch.images, step, codes);
      let r: StepResult;
      try {
        r = await trainStep(model, opt, inputs, lr, config.train.clipGrad, teacherMomentumAt(step, teacherSchedule));
      } finally {
        inputs.forEach(disposeInputs);
      }
      if (!r.finite) {
        final = 'diverged';
        error = `non-finite loss at step ${step + 1} (loss ${r.loss}, grad norm ${r.gradNorm}); the last good checkpoint is step ${checkpointStep}`;
        log('error', error);
        break;
      }
      step += 1;
      const row: MetricsRow = {
        step, epoch: epochOf(step - 1, B, dataset.train.length), lr, loss: r.loss, loss_main: r.lossMain, loss_align: r.lossAlign,
        imgs_per_s: B / ((performance.now() - t0) / 1000), latent_std: r.latentStd, grad_norm: r.gradNorm, time: new Date().toISOString(),
        ...(r.mlmAcc !== null ? { mlm_acc: r.mlmAcc } : {}),
        ...(r.targetVar !== null ? { target_var: r.targetVar, pred_var: r.predVar } : {}),
        ...(config.algorithm === 'cae' && config.teacher.schedule !== 'constant' ? { teacher_momentum: teacherMomentumAt(step - 1, teacherSchedule) } : {}),
      };
      const logged = step % config.train.logEvery === 0 || step === config.train.steps;
      if (logged && isRankStep(step, config)) row.rank_me = await rankSignal.measure(model);
      if (logged) {
        run.appendMetrics(row);
        reporter.emit({ type: 'metrics', row });
      }
      reporter.progress?.({
        task: 'pretrain', done: step, total: config.train.steps, unit: 'step', images: (step - firstStep) * B,
        fields: { loss: r.loss, main: r.lossMain, align: r.lossAlign, ...(r.mlmAcc !== null ? { mlm_acc: r.mlmAcc } : {}) },
      });
      for (const warning of [collapse.observe(step, r.lossMain, r.latentStd), row.rank_me !== undefined ? collapse.observeRank(step, row.rank_me) : null]) {
        if (!warning) continue;
        warnings.push(warning);
        log('warn', warning);
      }
      if (loader.skipped !== lastSkipped) {
        log('warn', `skipped ${loader.skipped - lastSkipped} unreadable image(s) (total ${loader.skipped}), e.g. ${loader.skippedFiles.slice(-1)[0]}`);
        lastSkipped = loader.skipped;
      }
      if (step % config.train.checkpointEvery === 0 || step === config.train.steps) await checkpoint();
      await runHooks('step');
      if (performance.now() - lastStatusAt > 500 || step === config.train.steps) {
        publish('running');
        lastStatusAt = performance.now();
      }
    }
    if (final === 'stopped' && checkpointStep !== step) await checkpoint();
    if (final === 'stopped') await runHooks('stop');
    if (final === 'stopped') log('info', `stopped (${stop.reason}) at step ${step}; resume with: mim-lab resume ${runDir}`);
  } catch (err) {
    final = 'failed';
    error = err instanceof Error ? err.message : String(err);
    log('error', `training failed at step ${step}: ${error}`);
    run.logError(`training failed at step ${step}`, err);
  } finally {
    publish(final, error);
    reporter.emit({ type: 'done', job: 'pretrain', state: final, runDir, ...(error ? { error } : {}) });
    await loader.close();
    model.dispose();
    opt.dispose();
    tokens?.tokenizer.dispose();
  }
  return { runDir, state: final };
}
