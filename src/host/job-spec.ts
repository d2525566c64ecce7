// What the host asks the trainer to do, and the command line that says it (`node dist/trainer.js …`).
import type { ProbeKind } from '../protocol/run-files';

export type JobSpec =
  | { kind: 'pretrain'; runsDir: string; preset?: string; configFile?: string; sets?: readonly string[]; name?: string; backend?: string; engine?: string; python?: string; nproc?: number }
  | { kind: 'resume'; runDir: string; backend?: string; python?: string }
  | { kind: 'probe'; runDir: string; probe: ProbeKind; randomInit?: boolean; checkpoint?: string; sets?: readonly string[]; backend?: string };

export function trainerArgs(spec: JobSpec): string[] {
  const backend = spec.backend && spec.backend !== 'auto' ? ['--backend', spec.backend] : [];
  // The interpreter for engine=torch runs (mimLab.pythonPath); TF.js runs ignore it.
  const python = spec.kind !== 'probe' && spec.python ? ['--python', spec.python] : [];
  switch (spec.kind) {
    case 'pretrain': {
      const args = ['pretrain', '--runs-dir', spec.runsDir];
      if (spec.preset) args.push('--preset', spec.preset);
      if (spec.configFile) args.push('--config', spec.configFile);
      for (const s of spec.sets ?? []) args.push('--set', s);
      if (spec.name) args.push('--name', spec.name);
      if (spec.engine) args.push('--engine', spec.engine);
      if (spec.nproc && spec.nproc > 1) args.push('--nproc', String(spec.nproc)); // torch under torchrun
      return [...args, ...backend, ...python];
    }
    case 'resume':
      return ['resume', spec.runDir, ...backend, ...python];
    case 'probe': {
      const args = ['probe', spec.runDir, '--kind', spec.probe];
      if (spec.randomInit) args.push('--random-init');
      if (spec.checkpoint) args.push('--checkpoint', spec.checkpoint);
      for (const s of spec.sets ?? []) args.push('--set', s);
      return [...args, ...backend];
    }
  }
}

/** A short human label, e.g. "attentive probe of cae-tiny-…". */
export function describeSpec(spec: JobSpec): string {
  const base = (p: string): string => p.split(/[\\/]/).pop() ?? p;
  switch (spec.kind) {
    case 'pretrain': return `pretraining (${spec.configFile ? base(spec.configFile) : spec.preset ?? 'default preset'})`;
    case 'resume': return `resume of ${base(spec.runDir)}`;
    case 'probe': return `${spec.probe} probe of ${base(spec.runDir)}`;
  }
}
