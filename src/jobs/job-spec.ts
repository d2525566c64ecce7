// What the host asks the trainer to do, and the command line that says it (`node dist/trainer.js …`).
import type { Config } from '../config/schema';
import type { ProbeKind } from '../protocol/run-files';
import { probeKindLabel } from '../protocol/probe-scores';

export type JobSpec =
  /** `config`: resolved and validated by the host, run exactly as it is; otherwise the trainer resolves preset/file/sets. */
  | { kind: 'pretrain'; runsDir: string; config?: Config; preset?: string; configFile?: string; sets?: readonly string[]; name?: string; backend?: string; engine?: string; python?: string; nproc?: number }
  | { kind: 'resume'; runDir: string; backend?: string; python?: string }
  | { kind: 'probe'; runDir: string; probe: ProbeKind; randomInit?: boolean; pixels?: boolean; checkpoint?: string; sets?: readonly string[]; backend?: string };

export function trainerArgs(spec: JobSpec): string[] {
  const backend = spec.backend && spec.backend !== 'auto' ? ['--backend', spec.backend] : [];
  // The interpreter for engine=torch runs (mimLab.pythonPath); TF.js runs ignore it.
  const python = spec.kind !== 'probe' && spec.python ? ['--python', spec.python] : [];
  switch (spec.kind) {
    case 'pretrain': {
      const args = ['pretrain', '--runs-dir', spec.runsDir];
      const nproc = spec.nproc && spec.nproc > 1 ? ['--nproc', String(spec.nproc)] : []; // torch under torchrun
      // A resolved config carries its engine (and its backend) itself.
      if (spec.config) return [...args, '--config-json', JSON.stringify(spec.config), ...(spec.name ? ['--name', spec.name] : []), ...nproc, ...python];
      if (spec.preset) args.push('--preset', spec.preset);
      if (spec.configFile) args.push('--config', spec.configFile);
      for (const s of spec.sets ?? []) args.push('--set', s);
      if (spec.name) args.push('--name', spec.name);
      if (spec.engine) args.push('--engine', spec.engine);
      return [...args, ...nproc, ...backend, ...python];
    }
    case 'resume':
      return ['resume', spec.runDir, ...backend, ...python];
    case 'probe': {
      const args = ['probe', spec.runDir, '--kind', spec.probe];
      if (spec.randomInit) args.push('--random-init');
      if (spec.pixels) args.push('--pixels');
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
    case 'pretrain': return `pretraining (${spec.configFile ? base(spec.configFile) : spec.preset ?? spec.config?.preset ?? 'default preset'})`;
    case 'resume': return `resume of ${base(spec.runDir)}`;
    case 'probe': return `${probeKindLabel(spec.probe)} probe of ${base(spec.runDir)}`;
  }
}
