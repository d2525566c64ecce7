// Data-parallel torch runs: `--nproc N` (+ `--nnodes M --node-rank R --rdzv-endpoint HOST:PORT`) become PyTorch's
// own launcher, torchrun (torch.distributed.run, through mimlab_torch.torchrun, which only fixes torch 1.13's option
// parsing on Python ≥ 3.11), with a c10d rendezvous. These are launch settings, not config: a checkpoint written
// with N processes resumes with any other number. Everything is checked before a run folder exists.
import { createServer } from 'node:net';
import { ConfigError } from '../config/resolve';
import type { Config } from '../config/schema';

export interface TorchProcesses {
  /** Processes on this machine (GPUs, or CPU processes with gloo). */
  nproc: number;
  /** Machines in the job (1: this one alone). */
  nnodes: number;
  /** This machine's place among them (0 … nnodes − 1). */
  nodeRank: number;
  /** HOST:PORT of the c10d rendezvous; every machine names the same one. Absent on one machine: a free local port. */
  rdzvEndpoint?: string;
}

export const ONE_PROCESS: TorchProcesses = { nproc: 1, nnodes: 1, nodeRank: 0 };

export const PROCESS_OPTIONS = ['nproc', 'nnodes', 'node-rank', 'rdzv-endpoint'] as const;

function positiveInt(value: string | undefined, option: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`--${option} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** The process layout asked for by --nproc/--nnodes/--node-rank/--rdzv-endpoint (one process when none is given). */
export function processesFromOptions(get: (option: string) => string | undefined): TorchProcesses {
  const nproc = positiveInt(get('nproc'), 'nproc', 1) ?? 1;
  const nnodes = positiveInt(get('nnodes'), 'nnodes', 1) ?? 1;
  const nodeRank = positiveInt(get('node-rank'), 'node-rank', 0) ?? 0;
  const rdzvEndpoint = get('rdzv-endpoint')?.trim() || undefined;
  if (nodeRank >= nnodes) throw new ConfigError(`--node-rank (${nodeRank}) must be smaller than --nnodes (${nnodes})`);
  if (nnodes > 1 && !rdzvEndpoint) throw new ConfigError(`--nnodes ${nnodes} needs --rdzv-endpoint HOST:PORT (the rendezvous every machine joins, e.g. the first node's address and a free port)`);
  if (rdzvEndpoint && !/^[^\s:]+:\d{1,5}$/.test(rdzvEndpoint) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(rdzvEndpoint)) {
    throw new ConfigError(`--rdzv-endpoint must be HOST:PORT, got ${JSON.stringify(rdzvEndpoint)}`);
  }
  return { nproc, nnodes, nodeRank, rdzvEndpoint };
}

export function worldSizeOf(p: TorchProcesses): number {
  return p.nproc * p.nnodes;
}

export function isDistributed(p: TorchProcesses): boolean {
  return worldSizeOf(p) > 1;
}

/** The config relations a process layout adds: the global batch (train.batchSize) splits evenly over the ranks. */
export function checkProcesses(config: Config, p: TorchProcesses): void {
  const world = worldSizeOf(p);
  if (world === 1) return;
  if (config.engine !== 'torch') throw new ConfigError(`--nproc/--nnodes need engine=torch (data-parallel training runs on PyTorch under torchrun); set --engine torch`);
  const B = config.train.batchSize;
  if (B % world) {
    throw new ConfigError(`train.batchSize (${B}) is the global batch and must be divisible by the number of processes (${world} = --nproc ${p.nproc} × --nnodes ${p.nnodes}): change train.batchSize or --nproc`);
  }
  const micro = config.train.microBatch;
  if (micro > 0 && (B / world) % micro) {
    throw new ConfigError(`train.microBatch (${micro}) must divide each process's share of train.batchSize (${B} / ${world} = ${B / world})`);
  }
}

/** A TCP port free on 127.0.0.1 now (the single-machine rendezvous; torchrun's --standalone would always take 29400). */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** torchrun's own options for this layout; `rdzvId` names the job (every machine passes the same). */
export function torchrunArgs(p: TorchProcesses, endpoint: string, rdzvId: string): string[] {
  return [
    '--nnodes', String(p.nnodes), '--nproc_per_node', String(p.nproc), '--node_rank', String(p.nodeRank),
    '--rdzv_backend', 'c10d', '--rdzv_endpoint', endpoint, '--rdzv_id', rdzvId, '--max_restarts', '0',
  ];
}

/**
 * The ranks torchrun reports as failed, from its ChildFailedError summary on stderr: "rank 1 exit -9 (Signal 9
 * (SIGKILL) received by PID 123); rank 0 exit 1". Null when the text holds no such summary.
 */
export function torchrunFailures(stderr: string): string | null {
  const start = stderr.lastIndexOf('Failures:');
  if (start < 0) return null;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const block of stderr.slice(start).split(/\n\[\d+\]:\n/).slice(1)) {
    const rank = /rank\s*:\s*(\d+)/.exec(block)?.[1];
    const code = /exitcode\s*:\s*(-?\d+)/.exec(block)?.[1];
    if (rank === undefined || seen.has(rank)) continue;
    seen.add(rank);
    const why = /traceback\s*:\s*(.+)/.exec(block)?.[1]?.trim();
    out.push(`rank ${rank} exit ${code ?? '?'}${why && !why.startsWith('To enable traceback') ? ` (${why})` : ''}`);
  }
  return out.length ? out.join('; ') : null;
}
