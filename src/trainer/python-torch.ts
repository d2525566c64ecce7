// Finds the Python that runs the torch engine and checks it before any run folder exists: Python ≥ 3.9 that
// imports torch ≥ 1.13 (and sees a CUDA device when the config asks for one). An interpreter named by the user
// (--python, which the editor fills from mimLab.pythonPath, or MIMLAB_PYTHON) is the only one tried, so a
// misconfigured one is reported rather than silently replaced; otherwise `python3` on PATH, then Debian's
// /usr/bin/python3 (where `apt-get install python3-torch` puts torch), the first that has torch.
import { spawnSync } from 'node:child_process';
import { ConfigError } from '../config/resolve';

export const MIN_TORCH = '1.13';
const MIN_PYTHON = '3.9';
const PROBE_TIMEOUT_MS = 60_000; // importing torch cold can take several seconds

export interface PythonCandidate {
  python: string;
  /** Where the name came from, for messages. */
  source: string;
}

export interface PythonTorch {
  python: string;
  source: string;
  pythonVersion: string;
  torch: string;
  cuda: boolean;
  /** Name of CUDA device 0 when there is one. */
  cudaDevice: string | null;
}

export interface TorchRequirements {
  minTorch?: string;
  needCuda?: boolean;
}

const PROBE = [
  'import json, sys',
  'out = {"python": "%d.%d.%d" % sys.version_info[:3]}',
  'try:',
  '    import torch',
  '    out["torch"] = torch.__version__',
  '    out["cuda"] = bool(torch.cuda.is_available())',
  '    out["device"] = torch.cuda.get_device_name(0) if out["cuda"] else None',
  'except Exception as e:',
  '    out["error"] = "%s: %s" % (type(e).__name__, e)',
  'print(json.dumps(out))',
].join('\n');

export const INSTALL_HINT = 'install PyTorch: apt-get install python3-torch (Debian/Ubuntu) or pip install torch';
const SETTING_HINT = 'point mimLab.pythonPath (editor), MIMLAB_PYTHON or --python at a Python that has it';

/** The interpreters to try, in order. */
export function pythonCandidates(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): PythonCandidate[] {
  if (explicit?.trim()) return [{ python: explicit.trim(), source: 'mimLab.pythonPath / --python' }];
  if (env.MIMLAB_PYTHON?.trim()) return [{ python: env.MIMLAB_PYTHON.trim(), source: 'MIMLAB_PYTHON' }];
  return [{ python: 'python3', source: 'python3 on PATH' }, { python: '/usr/bin/python3', source: 'Debian python3' }];
}

/** "2.3.1+cu121" → [2, 3]; "1.13.0a0+git…" → [1, 13]. */
export function versionAtLeast(version: string, min: string): boolean {
  const parse = (v: string): number[] => v.split(/[^0-9]+/).filter(Boolean).slice(0, 2).map(Number);
  const [a, b] = [parse(version), parse(min)];
  return a[0] !== b[0] ? a[0] > b[0] : (a[1] ?? 0) >= (b[1] ?? 0);
}

/** Asks one interpreter what it has; returns why it does not qualify, or its facts. */
export function probePython(c: PythonCandidate, req: TorchRequirements = {}, env: NodeJS.ProcessEnv = process.env): PythonTorch | string {
  const r = spawnSync(c.python, ['-c', PROBE], { encoding: 'utf8', timeout: PROBE_TIMEOUT_MS, env });
  const err = r.error as NodeJS.ErrnoException | undefined;
  if (err?.code === 'ENOENT') return 'not found';
  if (err?.code === 'EACCES') return 'not executable';
  if (err?.code === 'ETIMEDOUT') return `did not answer within ${PROBE_TIMEOUT_MS / 1000} s`;
  if (err) return err.message;
  let out: { python?: string; torch?: string; cuda?: boolean; device?: string | null; error?: string };
  try {
    out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    return `is not a working Python (exit ${r.status}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').pop()}` : ''})`;
  }
  const py = out.python ?? '?';
  if (!versionAtLeast(py, MIN_PYTHON)) return `is Python ${py}; the engine needs ≥ ${MIN_PYTHON}`;
  if (out.error || !out.torch) return `has no torch (${out.error ?? 'import failed'})`;
  const minTorch = req.minTorch ?? MIN_TORCH;
  if (!versionAtLeast(out.torch, minTorch)) return `has torch ${out.torch}; the engine needs ≥ ${minTorch}`;
  if (req.needCuda && !out.cuda) return `has torch ${out.torch} without a CUDA device (torch.device=cuda)`;
  return { python: c.python, source: c.source, pythonVersion: py, torch: out.torch, cuda: !!out.cuda, cudaDevice: out.device ?? null };
}

/** The first candidate that qualifies; otherwise one ConfigError line naming each interpreter tried and what to do. */
export function findPythonTorch(explicit: string | undefined, req: TorchRequirements = {}, env: NodeJS.ProcessEnv = process.env): PythonTorch {
  const tried: string[] = [];
  for (const c of pythonCandidates(explicit, env)) {
    const r = probePython(c, req, env);
    if (typeof r !== 'string') return r;
    tried.push(`${c.python} (${c.source}) ${r}`);
  }
  const need = `Python ≥ ${MIN_PYTHON} with torch ≥ ${req.minTorch ?? MIN_TORCH}${req.needCuda ? ' and CUDA' : ''}`;
  const fix = req.needCuda
    ? 'set torch.device=auto or cpu, or point mimLab.pythonPath (editor), MIMLAB_PYTHON or --python at a Python whose torch has CUDA (pip install torch, a CUDA build)'
    : `${SETTING_HINT}, or ${INSTALL_HINT}`;
  throw new ConfigError(`engine=torch needs ${need}; tried: ${tried.join('; ')}. To fix: ${fix}`);
}
