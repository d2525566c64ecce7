// engine=torch: runs engines/torch/mimlab_torch as a child (`<python> -m mimlab_torch run --job JOB.json`) and
// relays its stdout events (one TrainerEvent per JSON line) to this process's Reporter, so the CLI and the
// editor's RunManager see a torch run exactly like a TF.js one. A stop request (SIGINT/SIGTERM, IPC `stop`, the
// parent going away) becomes one SIGTERM to the engine, which finishes its step, checkpoints and exits 130; if this
// process dies, the engine's stdin reaches EOF and it does the same. Everything is checked before a run folder exists.
// With several processes (torchrun-args.ts) the child is torchrun: it passes the SIGTERM to every rank, all ranks
// stop at the same step, and only rank 0 sends events; when a rank dies, torchrun tears the job down.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import * as readline from 'node:readline';
import { ConfigError } from '../config/resolve';
import type { Config } from '../config/schema';
import { isTrainerEvent, type TrainerEvent } from '../protocol/events';
import type { RunState } from '../protocol/run-files';
import { packageFile } from '../util/package-file';
import { findPythonTorch } from './python-torch';
import type { Reporter } from './reporter';
import { createRunDir, RunFolder } from './run-folder';
import type { StopSignal } from './stop';
import { checkProcesses, freeLocalPort, isDistributed, ONE_PROCESS, torchrunArgs, torchrunFailures, type TorchProcesses } from '../jobs/torchrun-args';

export const JOB_VERSION = 1;

/** What the engine reads from JOB.json (the torch-engine contract). */
export interface TorchJobFile {
  version: typeof JOB_VERSION;
  job: 'pretrain' | 'resume';
  runDir: string;
  config: Config;
}

const ENGINE_MODULE = 'mimlab_torch';

export interface TorchRun {
  /** Already validated. */
  config: Config;
  job: 'pretrain' | 'resume';
  runsDir?: string;
  name?: string;
  resumeDir?: string;
  /** The interpreter the user named (--python / mimLab.pythonPath); otherwise discovered. */
  python?: string;
  reporter: Reporter;
  stop: StopSignal;
  /** The PYTHONPATH entry holding the `mimlab_torch` package (default: MIMLAB_TORCH_ENGINE, else engines/torch). */
  enginePath?: string;
  /** Where the engine's stderr goes (default: ours, so the terminal and the editor's stderr tail show it). */
  stderr?: (text: string) => void;
  /** Data-parallel layout (--nproc …); default one process. */
  processes?: TorchProcesses;
}

export interface TorchOutcome {
  /** Null when the engine refused the job before making a run folder. */
  runDir: string | null;
  state: RunState | null;
  /** The engine's exit code; undefined under torchrun once rank 0 reported a result (the code follows its state). */
  exitCode?: number;
}

/** MIMLAB_TORCH_ENGINE (an engine checkout elsewhere, or the tests' contract fixture), else engines/torch of this package. */
export function defaultEnginePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MIMLAB_TORCH_ENGINE?.trim()) return resolve(env.MIMLAB_TORCH_ENGINE.trim());
  const path = packageFile(join('engines', 'torch', ENGINE_MODULE));
  if (!path) throw new ConfigError('engine=torch: the engine package engines/torch/mimlab_torch is not part of this installation; use engine=tfjs');
  return dirname(path);
}

/** The environment of an engine process: its package first on PYTHONPATH, output unbuffered (events arrive as sent). */
export function engineEnv(enginePath: string): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONPATH: [enginePath, process.env.PYTHONPATH].filter(Boolean).join(delimiter), PYTHONUNBUFFERED: '1' };
}

/** A new run's folder name, reserved and released again: the contract has the engine create the folder itself. */
function newRunDir(runsDir: string, name: string): string {
  const dir = createRunDir(runsDir, name);
  rmdirSync(dir);
  return resolve(dir);
}

/**
 * The folder of a run over several machines: `<runsDir>/<name>` exactly, so every machine's launcher names the same
 * one (on a shared filesystem) and the rank that becomes 0 writes it; --name is also the rendezvous id.
 */
function multiNodeRunDir(runsDir: string, name: string | undefined): string {
  if (!name?.trim()) throw new ConfigError('--nnodes > 1 needs --name: every machine must name the same run folder (<runs-dir>/<name>) and rendezvous id');
  const dir = resolve(runsDir, name.trim());
  if (existsSync(join(dir, 'config.json'))) throw new ConfigError(`${dir} already holds a run: use mim-lab resume ${dir} to continue it, or another --name`);
  mkdirSync(runsDir, { recursive: true });
  return dir;
}

/** The command that starts the engine: the module itself, or torchrun starting one per rank. */
async function engineCommand(py: string, jobFile: string, p: TorchProcesses, runDir: string): Promise<string[]> {
  const engine = ['-m', ENGINE_MODULE, 'run', '--job', jobFile];
  if (!isDistributed(p)) return engine;
  const endpoint = p.rdzvEndpoint ?? `127.0.0.1:${await freeLocalPort()}`;
  const id = p.nnodes > 1 ? basename(runDir) : `mimlab-${process.pid}-${Date.now()}`;
  return ['-m', `${ENGINE_MODULE}.torchrun`, ...torchrunArgs(p, endpoint, id), ...engine];
}

/**
 * After an engine that died without `done`, a status.json still saying `running` is corrected to failed;
 * `alreadyFailed` also replaces the error of a run rank 0 marked failed (torchrun's report names the dead rank).
 */
function markFailed(runDir: string, error: string, alreadyFailed = false): void {
  const run = new RunFolder(runDir);
  try {
    const s = run.readStatus();
    if (s && (s.state === 'running' || (alreadyFailed && s.state === 'failed'))) run.writeStatus({ ...s, state: 'failed', error, updatedAt: new Date().toISOString() });
  } catch {
    // no readable status: nothing claims the run is alive
  }
}

export async function runTorchEngine(r: TorchRun): Promise<TorchOutcome> {
  const enginePath = r.enginePath ?? defaultEnginePath();
  const processes = r.processes ?? ONE_PROCESS;
  checkProcesses(r.config, processes);
  const py = findPythonTorch(r.python, { needCuda: r.config.torch?.device === 'cuda' });
  const runsDir = r.runsDir ?? join('.mimlab', 'runs');
  const runDir = r.resumeDir ? resolve(r.resumeDir)
    : processes.nnodes > 1 ? multiNodeRunDir(runsDir, r.name) : newRunDir(runsDir, r.name ?? r.config.preset);
  const distributed = isDistributed(processes);
  const jobDir = mkdtempSync(join(tmpdir(), 'mimlab-torch-job-'));
  const jobFile = join(jobDir, 'job.json');
  const spec: TorchJobFile = { version: JOB_VERSION, job: r.job, runDir, config: r.config };
  writeFileSync(jobFile, JSON.stringify(spec));
  const stderr = r.stderr ?? ((t: string): void => { process.stderr.write(t); });
  const env = engineEnv(enginePath);
  // Its own process group: a terminal's Ctrl-C reaches only us, and we relay exactly one SIGTERM.
  const child = spawn(py.python, await engineCommand(py.python, jobFile, processes, runDir), { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const layout = distributed ? `, torchrun: ${processes.nproc} process${processes.nproc > 1 ? 'es' : ''} × ${processes.nnodes} machine${processes.nnodes > 1 ? 's' : ''}` : '';
  r.reporter.emit({ type: 'log', level: 'info', message: `torch engine: ${py.python} (Python ${py.pythonVersion}, torch ${py.torch}${py.cudaDevice ? `, ${py.cudaDevice}` : ''}), pid ${child.pid}${layout}` });
  let done: Extract<TrainerEvent, { type: 'done' }> | null = null;
  let hello = false;
  let stderrTail = '';
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      msg = undefined;
    }
    if (!isTrainerEvent(msg)) {
      stderr(`${line}\n`); // the contract sends only events on stdout; anything else is shown, not lost
      return;
    }
    if (msg.type === 'hello') hello = true;
    if (msg.type === 'done') {
      done = msg;
      if (distributed) return; // sent once torchrun has exited: a failure then carries its report of the dead rank
    }
    r.reporter.emit(msg);
  });
  child.stderr.setEncoding('utf8').on('data', (t: string) => {
    stderrTail = (stderrTail + t).slice(-8000); // torchrun's failure summary is ≈1 kB per rank
    stderr(t);
  });
  child.stdin.on('error', () => {}); // EPIPE when the engine exits first
  r.stop.onRequest(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => {
    child.on('error', (err) => {
      stderr(`could not start ${py.python}: ${err.message}\n`);
      res([null, null]);
    });
    child.on('close', (c, s) => res([c, s]));
  });
  rmSync(jobDir, { recursive: true, force: true });
  const finished = done as Extract<TrainerEvent, { type: 'done' }> | null;
  const tail = stderrTail.trim() ? `: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : '';
  if (finished && distributed) {
    const failed = finished.state === 'failed' && code !== 0;
    const error = failed ? `${finished.error ?? 'failed'}; torchrun: ${torchrunFailures(stderrTail) ?? tail.slice(2)}` : finished.error;
    if (failed && error) markFailed(runDir, error, true);
    r.reporter.emit({ ...finished, ...(error ? { error } : {}) });
    return { runDir: finished.runDir || runDir, state: finished.state as RunState };
  }
  if (finished) return { runDir: finished.runDir || runDir, state: finished.state as RunState, exitCode: code ?? 1 };
  if (code === 2) return { runDir: null, state: null, exitCode: 2 }; // refused before any work; its reason is on stderr
  // torchrun reports a rank's exit 2 (bad input, before any work) as its own failure
  if (distributed && !hello && !existsSync(join(runDir, 'status.json'))) return { runDir: null, state: null, exitCode: 2 };
  // Another machine's rank 0 reports the run; this machine's ranks finished cleanly.
  if (distributed && code === 0) return { runDir, state: null, exitCode: 0 };
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const ranks = distributed ? torchrunFailures(stderrTail) : null;
  const error = `the torch engine ${how} without a result${ranks ? `: ${ranks}` : tail}`;
  markFailed(runDir, error);
  r.reporter.emit({ type: 'log', level: 'error', message: error });
  r.reporter.emit({ type: 'done', job: 'pretrain', state: 'failed', runDir, error });
  return { runDir, state: 'failed', exitCode: 1 };
}
