// The probe job: load the run's encoder (a checkpoint, or the same architecture untrained) → features (cached)
// → linear / attentive / k-NN → probes/<id>/{config.json, metrics.jsonl, result.json}, with TrainerEvents for
// the extension (hello, probe-progress per epoch, probe-result, done).
import { probeAttentionFromDump } from '../diagnostics/probe-attention-dump';
import { publishProbeAttention } from '../diagnostics/probe-attention';
import { validateConfig } from '../config/resolve';
import type { BackendName, Config } from '../config/schema';
import { openDataset } from '../data/open';
import { resolveNormalisation } from '../data/stats';
import { initBackend } from '../ml/backend';
import { PROTOCOL_VERSION } from '../protocol/events';
import type { ProbeKind, ProbeResult } from '../protocol/run-files';
import { loadRunModel, type LoadedRun } from '../trainer/load-run';
import type { Reporter } from '../trainer/reporter';
import { RunFolder } from '../trainer/run-folder';
import type { StopSignal } from '../trainer/stop';
import { resolveProbeConfig, type ProbeConfig } from './config';
import type { FeatureSet } from './features';
import { StopRequested } from './stop';
import { createProbeFolder, PROBE_FILES, type ProbeFolder } from './folder';
import { probeFeatures } from './load-features';
import { runClassifierProbe, runKnnProbe, type ProbeOutcome } from './kinds';

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
}

export type ProbeState = 'completed' | 'stopped' | 'failed';

export interface ProbeJobResult {
  state: ProbeState;
  result: ProbeResult | null;
  probeDir: string | null;
  error?: string;
}

/** Raised when the run cannot be probed at all (no run, no/incompatible checkpoint): reported without a stack. */
export class ProbeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeInputError';
  }
}

function inputError(job: ProbeJob, err: unknown): ProbeInputError {
  return new ProbeInputError(`cannot probe ${job.runDir}: ${err instanceof Error ? err.message : String(err)}`);
}

function readRunConfig(job: ProbeJob): Config {
  try {
    return validateConfig(new RunFolder(job.runDir).readConfig());
  } catch (err) {
    throw inputError(job, err);
  }
}

/**
 * Runs one probe. Invalid settings (ConfigError) and an unreadable run folder (ProbeInputError) throw before
 * anything is written; a missing or incompatible checkpoint and later failures end as state `failed` with the
 * reason in `error`, the log and the `done` event.
 */
export async function runProbe(job: ProbeJob): Promise<ProbeJobResult> {
  const cfg: ProbeConfig = resolveProbeConfig(job.kind, job.sets);
  const kind = cfg.kind;
  const { reporter } = job;
  const log = (level: 'info' | 'warn' | 'error', message: string): void => reporter.emit({ type: 'log', level, message });
  const runConfig = readRunConfig(job);
  const backend = await initBackend(job.backend ?? runConfig.backend).catch((err: unknown) => { // before any variable exists
    throw inputError(job, err);
  });
  reporter.emit({ type: 'hello', version: PROTOCOL_VERSION, pid: process.pid, job: 'probe', runDir: job.runDir, backend: backend.name });
  let loaded: LoadedRun | null = null;
  let folder: ProbeFolder | null = null;
  let state: ProbeState = 'completed';
  let error: string | undefined;
  let result: ProbeResult | null = null;
  try {
    try {
      loaded = loadRunModel(job.runDir, job.checkpoint, job.randomInit);
    } catch (err) {
      throw inputError(job, err);
    }
    const dataset = await openDataset(loaded.config);
    const norm = await resolveNormalisation(loaded.config, dataset, job.runDir); // the run's cached stats: normalised as in pretraining
    folder = createProbeFolder(job.runDir, kind, job.randomInit, loaded.step);
    const features = featureName(kind, cfg);
    folder.writeConfig({
      id: folder.id, kind, randomInit: job.randomInit, checkpointStep: loaded.step, epochs: cfg.epochs, features,
      backend: backend.name, startedAt: new Date().toISOString(), probe: cfg,
    });
    log('info', `${kind} probe ${folder.id} of ${job.runDir} (${job.randomInit ? 'random-init encoder' : `checkpoint step ${loaded.step}`}, backend ${backend.name})`);
    const shouldStop = (): boolean => job.stop?.requested ?? false;
    const feats: FeatureSet = await probeFeatures({
      runDir: job.runDir, loaded, randomInit: job.randomInit, dataset, norm, probe: cfg, needTokens: kind === 'attentive',
      shouldStop, log: (m) => log('info', m), progress: reporter.progress?.bind(reporter),
    });
    loaded.model.dispose(); // features are all the probe needs from here on
    const dir = folder;
    const outcome: ProbeOutcome = kind === 'knn'
      ? await runKnnProbe(feats, cfg)
      : await runClassifierProbe(kind, feats, cfg, loaded.config.model.heads, shouldStop, (row) => {
        dir.appendMetrics(row);
        reporter.emit({ type: 'probe-progress', probeId: dir.id, epoch: row.epoch, epochs: cfg.epochs, row });
        reporter.progress?.({
          task: `${kind} probe`, done: row.epoch, total: cfg.epochs, unit: 'epoch', images: row.epoch * feats.train.n,
          fields: { loss: row.loss, train: row.train_top1, test: row.test_top1 },
        });
      });
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
      id: folder.id, kind, top1: outcome.top1, top5: outcome.top5, randomInit: job.randomInit, checkpointStep: loaded.step,
      epochs: kind === 'knn' ? 0 : cfg.epochs, features, numTrain: feats.train.n, numTest: feats.test.n, numClasses: feats.numClasses,
      finishedAt: new Date().toISOString(),
    };
    folder.writeResult(result);
    log('info', `${kind} probe: top-1 ${(result.top1 * 100).toFixed(2)} %${result.top5 === null ? '' : `, top-5 ${(result.top5 * 100).toFixed(2)} %`}`);
    reporter.emit({ type: 'probe-result', result });
  } catch (err) {
    state = err instanceof StopRequested ? 'stopped' : 'failed';
    error = state === 'stopped' ? `stopped (${job.stop?.reason ?? 'requested'})` : err instanceof Error ? err.message : String(err);
    log(state === 'stopped' ? 'info' : 'error', `${kind} probe ${state}: ${error}`);
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
