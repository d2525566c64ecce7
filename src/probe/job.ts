// The probe job: load the run's encoder (a checkpoint, or the same architecture untrained) → features (cached)
// → linear / attentive / k-NN → probes/<id>/{config.json, metrics.jsonl, result.json}, with TrainerEvents for
// the extension (hello, probe-progress per epoch, probe-result, done).
import { probeAttentionFromDump } from '../diagnostics/probe-attention-dump';
import { publishProbeAttention } from '../diagnostics/probe-attention';
import { ConfigError } from '../config/resolve';
import type { BackendName } from '../config/schema';
import { openDataset } from '../data/open';
import { requireClasses } from '../data/preflight';
import type { Dataset } from '../data/types';
import { resolveNormalisation } from '../data/stats';
import { initBackend } from '../ml/backend';
import { PROTOCOL_VERSION } from '../protocol/events';
import { attentiveHeadText, probeKindLabel } from '../protocol/probe-scores';
import { PROBE_FILES, type ProbeKind, type ProbeMetricsRow, type ProbeResult } from '../protocol/run-files';
import { loadRunModel, readRunConfig, runCheckpointStep, type LoadedRun } from '../trainer/load-run';
import type { Reporter } from '../trainer/reporter';
import { RunFolder } from '../trainer/run-folder';
import type { StopSignal } from '../trainer/stop';
import { GRID_VAL_FRACTION, resolveProbeConfig, type ProbeConfig } from './config';
import { limitSplit, type FeatureSet } from '../diagnostics/features';
import { pixelFeatures } from './pixel-features';
import { StopRequested } from '../util/stop-requested';
import { createProbeFolder, type ProbeFolder } from './folder';
import { probeFeatures } from './load-features';
import { runClassifierProbe, runKnnProbe, runLinearGrid, type ProbeOutcome } from './kinds';

export interface ProbeJob {
  runDir: string;
  kind: string;
  randomInit: boolean;
  checkpoint: 'latest' | number;
  /** `probe.key=value` overrides. */
  sets: readonly string[];
  /** Overrides the run's backend. */
  backend?: BackendName;
  reporter: Reporter;
  stop?: StopSignal;
  /** Linear only: a grid of heads over lr × weight decay, chosen on a validation split (probe.valFraction, default 0.1). */
  grid?: boolean;
  /** Linear or k-NN on standardised raw pixels instead of an encoder (the second floor beside random init). */
  pixels?: boolean;
}

export type ProbeState = 'completed' | 'stopped' | 'failed';

export interface ProbeJobResult {
  state: ProbeState;
  result: ProbeResult | null;
  probeDir: string | null;
  error?: string;
}

/** A probe classifies: the train split it sees (after probe.maxTrain) needs two classes or more. */
export function requireProbeClasses(dataset: Dataset, cfg: ProbeConfig): void {
  const train = limitSplit(dataset.train, cfg.maxTrain);
  const where = dataset.train.dir ?? `the train split of ${dataset.name}`;
  requireClasses(train, train === dataset.train ? where : `the first ${cfg.maxTrain} images of ${where} (probe.maxTrain)`, `the ${cfg.kind} probe`);
}

/** The probe settings, with the --grid / --pixels combinations checked before any work starts. */
function probeSettings(job: ProbeJob): ProbeConfig {
  const cfg: ProbeConfig = resolveProbeConfig(job.kind, job.sets);
  if (job.grid && cfg.kind !== 'linear') throw new ConfigError(`--grid trains linear heads only; got --kind ${cfg.kind}`);
  if (job.pixels && cfg.kind === 'attentive') throw new ConfigError('--pixels works with --kind linear or knn (the attentive probe needs encoder tokens)');
  if (cfg.kind === 'knn' && cfg.valFraction > 0) throw new ConfigError('probe.valFraction: the k-NN probe trains nothing and chooses nothing, so it holds out no validation split (use it with linear or attentive)');
  if (job.pixels && job.randomInit) throw new ConfigError('--pixels and --random-init are two different floors: pick one');
  return job.grid && cfg.valFraction === 0 ? { ...cfg, valFraction: GRID_VAL_FRACTION } : cfg;
}

/**
 * Runs one probe. Everything the user can get wrong is refused before any work and before anything is written,
 * with an InputError naming it: invalid settings (ConfigError), a folder that is not a run, a missing or
 * incompatible checkpoint (RunInputError), a dataset that does not decode or has one class (DatasetError).
 * Later failures end as state `failed` with the reason in `error`, the log and the `done` event.
 */
export async function runProbe(job: ProbeJob): Promise<ProbeJobResult> {
  const cfg = probeSettings(job);
  const kind = cfg.kind;
  const { reporter } = job;
  const log = (level: 'info' | 'warn' | 'error', message: string): void => reporter.emit({ type: 'log', level, message });
  const runConfig = readRunConfig(job.runDir, 'probe');
  if (!job.randomInit && !job.pixels) runCheckpointStep(job.runDir, job.checkpoint, 'probe');
  const dataset = await openDataset(runConfig);
  requireProbeClasses(dataset, cfg);
  const backend = await initBackend(job.backend ?? runConfig.backend);
  const loaded: LoadedRun | null = job.pixels ? null : loadRunModel(job.runDir, job.checkpoint, job.randomInit, 'probe');
  const config = loaded?.config ?? runConfig;
  const step = loaded?.step ?? 0;
  reporter.emit({ type: 'hello', version: PROTOCOL_VERSION, pid: process.pid, job: 'probe', runDir: job.runDir, backend: backend.name });
  let folder: ProbeFolder | null = null;
  let state: ProbeState = 'completed';
  let error: string | undefined;
  let result: ProbeResult | null = null;
  try {
    const norm = await resolveNormalisation(config, dataset, job.runDir); // the run's cached stats: normalised as in pretraining
    folder = createProbeFolder(job.runDir, kind, job.randomInit, step, job.pixels);
    const features = job.pixels ? 'pixels' : featureName(kind, cfg);
    folder.writeConfig({
      id: folder.id, kind, randomInit: job.randomInit, checkpointStep: step, epochs: cfg.epochs, features,
      backend: backend.name, startedAt: new Date().toISOString(), probe: cfg, ...(job.grid ? { grid: true } : {}),
    });
    const what = job.pixels ? 'standardised raw pixels' : job.randomInit ? 'random-init encoder' : `checkpoint step ${step}`;
    log('info', `${probeKindLabel(kind)} probe ${folder.id} of ${job.runDir} (${what}, backend ${backend.name})`);
    const shouldStop = (): boolean => job.stop?.requested ?? false;
    const view = { imageSize: config.data.imageSize, channels: config.data.channels, mean: norm.mean, std: norm.std };
    const feats: FeatureSet = loaded
      ? await probeFeatures({
        runDir: job.runDir, loaded, randomInit: job.randomInit, dataset, norm, probe: cfg, needTokens: kind === 'attentive',
        shouldStop, log: (m) => log('info', m), progress: reporter.progress?.bind(reporter),
      })
      : await pixelFeatures({
        train: limitSplit(dataset.train, cfg.maxTrain), test: limitSplit(dataset.test, cfg.maxTest), numClasses: dataset.classNames.length,
        view, batchSize: cfg.extractBatch, shouldStop,
      });
    loaded?.model.dispose(); // features are all the probe needs from here on
    const dir = folder;
    const onEpoch = (row: ProbeMetricsRow): void => {
      dir.appendMetrics(row);
      reporter.emit({ type: 'probe-progress', probeId: dir.id, epoch: row.epoch, epochs: cfg.epochs, row });
      reporter.progress?.({
        task: `${probeKindLabel(kind)} probe`, done: row.epoch, total: cfg.epochs, unit: 'epoch', images: row.epoch * feats.train.n,
        fields: { loss: row.loss, train: row.train_top1, test: row.test_top1 },
      });
    };
    if (cfg.valFraction > 0 && kind !== 'knn') log('info', `validation split: ${Math.round(cfg.valFraction * 100)} % of train held out (seed ${cfg.seed}); test evaluated once`);
    const outcome: ProbeOutcome = kind === 'knn'
      ? await runKnnProbe(feats, cfg)
      : job.grid
        ? await runLinearGrid(feats, cfg, shouldStop, onEpoch)
        : await runClassifierProbe(kind, feats, cfg, config.model.heads, shouldStop, onEpoch);
    if (kind === 'knn') {
      const row = { epoch: 0, loss: null, train_top1: null, test_top1: outcome.top1 };
      folder.appendMetrics(row);
      reporter.emit({ type: 'probe-progress', probeId: folder.id, epoch: 0, epochs: 0, row });
    }
    if (outcome.attention) {
      folder.writeJson(PROBE_FILES.attention, outcome.attention);
      // Overlays for people (and the run panel): the query's attention drawn on the sample images.
      const rendered = await probeAttentionFromDump(job.runDir, folder.id);
      if (rendered) publishProbeAttention(job.runDir, folder.id, rendered);
    }
    result = {
      id: folder.id, kind, top1: outcome.top1, top5: outcome.top5, randomInit: job.randomInit, checkpointStep: step,
      epochs: kind === 'knn' ? 0 : cfg.epochs, features, numTrain: feats.train.n - (outcome.numVal ?? 0), numTest: feats.test.n, numClasses: feats.numClasses,
      finishedAt: new Date().toISOString(),
      ...(outcome.numVal !== undefined ? { numVal: outcome.numVal, valTop1: outcome.valTop1 } : {}),
      ...(outcome.grid ? { grid: outcome.grid, gridBest: outcome.gridBest } : {}),
      ...(job.pixels ? { pixels: true } : {}),
      ...(kind === 'attentive' ? { head: { depth: cfg.depth, queries: cfg.queries, mlp: cfg.mlp } } : {}),
    };
    folder.writeResult(result);
    if (outcome.grid && outcome.gridBest !== undefined) {
      const b = outcome.grid[outcome.gridBest];
      log('info', `grid: ${outcome.grid.length} heads; chosen on validation (${outcome.numVal} images): lr ${b.lr}, weight decay ${b.weightDecay}, val top-1 ${(b.valTop1 * 100).toFixed(2)} %`);
    }
    const head = attentiveHeadText(result.head);
    log('info', `${probeKindLabel(kind)} probe${head ? ` (${head})` : ''}: top-1 ${(result.top1 * 100).toFixed(2)} %${result.top5 === null ? '' : `, top-5 ${(result.top5 * 100).toFixed(2)} %`}`);
    reporter.emit({ type: 'probe-result', result });
  } catch (err) {
    state = err instanceof StopRequested ? 'stopped' : 'failed';
    error = state === 'stopped' ? `stopped (${job.stop?.reason ?? 'requested'})` : err instanceof Error ? err.message : String(err);
    log(state === 'stopped' ? 'info' : 'error', `${probeKindLabel(kind)} probe ${state}: ${error}`);
    // The stack is for whoever debugs it: in the run's log.txt, never on the terminal.
    if (state === 'failed') new RunFolder(job.runDir).logError(`${kind} probe ${folder?.id ?? '(not started)'} failed`, err);
  } finally {
    loaded?.model.dispose();
    reporter.emit({ type: 'done', job: 'probe', state, runDir: job.runDir, ...(error ? { error } : {}) });
  }
  return { state, result, probeDir: folder?.dir ?? null, ...(error ? { error } : {}) };
}

/** What the result's `features` field says the probe saw. */
function featureName(kind: ProbeKind, cfg: ProbeConfig): string {
  return kind === 'attentive' ? 'tokens' : cfg.features;
}
