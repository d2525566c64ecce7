// The PyTorch twin (bench/torch_twin.py): export of the model, its weights and one batch; discovery of a python3
// with torch; the twin process, driven line by line so its timed steps interleave with MIM Lab's.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Config } from '../config/schema';
import type { MimInputs } from '../ml/inputs';
import { allStores, type MimModel } from '../ml/model';
import { findPythonTorch, type PythonTorch } from '../trainer/python-torch';
import { packageFile } from '../util/package-file';

/** bench/torch_twin.py, next to the repository's dist/ or src/. */
export function twinScript(): string | null {
  return packageFile(path.join('bench', 'torch_twin.py'));
}

/** A python3 that imports torch (any version: the twin needs no engine features): src/trainer/python-torch.ts's search. */
export function findTorch(): PythonTorch | null {
  try {
    return findPythonTorch(undefined, { minTorch: '0' });
  } catch {
    return null;
  }
}

/** apt-get install python3-torch libopenblas0-pthread (root only); returns why it did not, if it did not. */
export function installTorch(print: (line: string) => void): string | null {
  if (process.getuid?.() !== 0) return 'not root: run  apt-get install -y python3-torch libopenblas0-pthread';
  print('installing python3-torch and libopenblas0-pthread with apt-get …');
  const r = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-pthread'], { stdio: 'inherit' });
  return r.status === 0 ? null : `apt-get failed (exit ${r.status})`;
}

interface ArrayEntry {
  name: string;
  shape: number[];
  offset: number;
}

/** Writes spec.json + arrays.bin for the twin: every parameter (teacher included) and the step's inputs. */
export async function exportTwin(dir: string, config: Config, model: MimModel, inp: MimInputs): Promise<void> {
  const spec = model.spec;
  const chunks: Buffer[] = [];
  const arrays: ArrayEntry[] = [];
  let offset = 0;
  const add = (name: string, shape: number[], data: Float32Array): void => {
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    arrays.push({ name, shape, offset });
    chunks.push(Buffer.from(buf)); // copy: the view may be into the wasm heap
    offset += buf.byteLength;
  };
  for (const [storeName, store] of Object.entries(allStores(model))) {
    for (const a of await store.export()) add(`${storeName}.${a.name}`, a.shape, a.data);
  }
  for (const [name, t] of [['visPatches', inp.visPatches], ['maskPatches', inp.maskPatches], ['target', inp.target]] as const) {
    add(`input.${name}`, t.shape.slice(), Float32Array.from(await t.data()));
  }
  const grid = spec.numPatches;
  const withPos = model as unknown as { pos?: Float32Array; decoderPos?: Float32Array };
  if (withPos.pos) add('input.pos', [grid, spec.encoder.dim], withPos.pos);
  if (withPos.decoderPos) add('input.decoderPos', [grid, spec.decoder.dim], withPos.decoderPos);
  const json = {
    algorithm: spec.algorithm,
    geometry: spec.geometry,
    batch: inp.batch,
    nVis: inp.nVis,
    nMask: inp.nMask,
    visIdx: Array.from(inp.visIdx),
    maskIdx: Array.from(inp.maskIdx),
    encoder: spec.encoder,
    decoder: spec.decoder,
    regressorDepth: spec.regressorDepth,
    decoderDepth: spec.decoderDepth,
    alignWeight: spec.alignWeight,
    teacherMomentum: spec.teacherMomentum,
    train: { lr: config.train.lr, beta1: config.train.beta1, beta2: config.train.beta2, weightDecay: config.train.weightDecay, clipGrad: config.train.clipGrad },
    arrays,
  };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'arrays.bin'), Buffer.concat(chunks));
  fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(json));
}

/** Why the twin cannot reproduce this config exactly (null when it can). */
export function twinUnsupported(config: Config): string | null {
  if (config.loss.target !== 'pixels') return 'the twin predicts pixels only (loss.target = pixels)';
  if (config.model.dropPath > 0) return 'the twin has no drop path (set model.dropPath=0)';
  return null;
}

export interface TwinReady {
  loss: number;
  /** The same first-step loss in float64. */
  loss64: number;
  main: number;
  align: number | null;
  torch: string;
  threads: number;
  openblasThreads: string | null;
}

/** One running twin process. */
export class Twin {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  private stderr = '';

  constructor(py: PythonTorch, script: string, dir: string, readonly torchThreads: number, readonly blasThreads: number) {
    this.proc = spawn(py.python, [script, '--dir', dir, '--threads', String(torchThreads)], {
      env: { ...process.env, OPENBLAS_NUM_THREADS: String(blasThreads), OMP_NUM_THREADS: String(torchThreads) },
    });
    this.proc.stderr.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-4000); });
    this.lines = readline.createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  get setting(): string {
    return `${this.torchThreads} torch thread${this.torchThreads > 1 ? 's' : ''}, OPENBLAS_NUM_THREADS=${this.blasThreads}`;
  }

  private async next(): Promise<Record<string, unknown>> {
    const r = await this.lines.next();
    if (r.done) throw new Error(`the PyTorch twin exited: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return JSON.parse(r.value) as Record<string, unknown>;
  }

  async ready(): Promise<TwinReady> {
    return (await this.next()) as unknown as TwinReady;
  }

  /** Runs `steps` training steps; their times in ms. */
  async run(steps: number): Promise<number[]> {
    this.proc.stdin.write(`run ${steps}\n`);
    return (await this.next()).ms as number[];
  }

  close(): void {
    this.proc.stdin.end('quit\n');
    setTimeout(() => this.proc.kill(), 2000).unref();
  }

  /** Stops it now (a step in progress is abandoned). */
  kill(): void {
    this.proc.kill();
  }
}

export function tempTwinDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mimlab-bench-'));
}
