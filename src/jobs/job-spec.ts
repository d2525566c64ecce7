// What the host asks the trainer to do, and the command line that says it (`node dist/trainer.js …`).
import type { Config } from '../config/schema';
import type { ProbeKind } from '../protocol/run-files';
import { probeKindLabel } from '../protocol/probe-scores';

export type JobSpec =
  /** `config`: resolved and validated by the host, run exactly as it is; otherwise the trainer resolves preset/file/sets. */
  | { kind: 'pretrain'; runsDir: string; config?: Config; preset?: string; configFile?: string; sets?: readonly string[]; name?: string; backend?: string }
  | { kind: 'resume'; runDir: string; backend?: string }
  | { kind: 'probe'; runDir: string; probe: ProbeKind; randomInit?: boolean; checkpoint?: string; sets?: readonly string[]; backend?: string };

export function trainerArgs(spec: JobSpec): string[] {
  const backend = spec.backend && spec.backend !== 'auto' ? ['--backend', spec.backend] : [];
  switch (spec.kind) {
    case 'pretrain': {
      const args = ['pretrain', '--runs-dir', spec.runsDir];
      if (spec.config) return [...args, '--config-json', JSON.stringify(spec.config), ...(spec.name ? ['--name', spec.name] : [])];
      if (spec.preset) args.push('--preset', spec.preset);
      if (spec.configFile) args.push('--config', spec.configFile);
      for (const s of spec.sets ?? []) args.push('--set', s);
      if (spec.name) args.push('--name', spec.name);
      return [...args, ...backend];
    }
    case 'resume':
      return ['resume', spec.runDir, ...backend];
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
    case 'pretrain': return `pretraining (${spec.configFile ? base(spec.configFile) : spec.preset ?? spec.config?.preset ?? 'default preset'})`;
    case 'resume': return `resume of ${base(spec.runDir)}`;
    case 'probe': return `${probeKindLabel(spec.probe)} probe of ${base(spec.runDir)}`;
  }
}
