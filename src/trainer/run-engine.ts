// The one place that picks the engine of a pretraining job (config `engine`): TF.js in this process, or the torch
// engine as a relayed child. The CLI's pretrain/resume, the demo and (through them) the editor all come here.
import { engineOf } from '../config/engine';
import type { RunState } from '../protocol/run-files';
import { runPretrain, type PretrainJob } from './pretrain';
import { runTorchEngine } from './torch-launch';
import { checkProcesses, type TorchProcesses } from '../jobs/torchrun-args';

export interface EngineJob extends PretrainJob {
  /** Torch engine: the interpreter the user named (--python / mimLab.pythonPath). */
  python?: string;
  /** Torch engine: the PYTHONPATH entry of another mimlab_torch package (tests). */
  enginePath?: string;
  /** Torch engine: processes under torchrun (--nproc, --nnodes, …); default one. */
  processes?: TorchProcesses;
}

export interface EngineResult {
  /** Null when the torch engine refused the job before making a folder. */
  runDir: string | null;
  state: RunState | null;
  /** The torch engine's own exit code; TF.js runs derive it from `state`. */
  exitCode?: number;
}

export async function runEngine(job: EngineJob): Promise<EngineResult> {
  if (engineOf(job.config) !== 'torch') {
    if (job.processes) checkProcesses(job.config, job.processes); // refuses --nproc > 1 under tfjs
    return runPretrain(job);
  }
  return runTorchEngine({
    config: job.config, job: job.resumeDir ? 'resume' : 'pretrain', runsDir: job.runsDir, name: job.name, resumeDir: job.resumeDir,
    python: job.python, reporter: job.reporter, stop: job.stop, enginePath: job.enginePath, processes: job.processes,
  });
}
