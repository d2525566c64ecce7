// What the Runs tree shows for each run, checkpoint and probe: pure functions of the run summaries,
// so they are tested from fixture folders without VS Code.
import { attentiveHeadText, probeKindLabel, randomInitFloors, scoreContext } from '../protocol/probe-scores';
import type { DisplayState, ProbeView } from '../protocol/webview';
import type { RunSummary } from './run-reader';

export type TreeNode =
  | { kind: 'group'; id: string; label: string; runs: RunSummary[] }
  | { kind: 'run'; id: string; run: RunSummary }
  | { kind: 'section'; id: string; label: 'Checkpoints' | 'Probes'; run: RunSummary }
  | { kind: 'checkpoint'; id: string; run: RunSummary; step: number }
  | { kind: 'probe'; id: string; run: RunSummary; probe: ProbeView };

export interface NodePresentation {
  label: string;
  description?: string;
  tooltip?: string;
  /** A codicon id, optionally with `~spin`. */
  icon: string;
  /** Theme colour id for the icon. */
  iconColor?: string;
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
}

const STATE_ICONS: Record<DisplayState, { icon: string; color?: string }> = {
  running: { icon: 'sync~spin', color: 'charts.blue' },
  completed: { icon: 'pass', color: 'testing.iconPassed' },
  stopped: { icon: 'debug-pause', color: 'charts.yellow' },
  failed: { icon: 'error', color: 'testing.iconFailed' },
  diverged: { icon: 'warning', color: 'charts.orange' },
  interrupted: { icon: 'debug-disconnect', color: 'charts.yellow' },
  unknown: { icon: 'question' },
};

export function fmtNum(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(2) : x.toPrecision(digits).replace(/\.?0+$/, '');
}

export function fmtPct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(1)}%`;
}

/** Groups runs by day (newest first), as researchers look for "today's runs". */
export function groupRuns(runs: readonly RunSummary[], now = new Date()): TreeNode[] {
  const day = (t: number): string => new Date(t).toISOString().slice(0, 10);
  const today = day(now.getTime());
  const yesterday = day(now.getTime() - 86_400_000);
  const groups = new Map<string, RunSummary[]>();
  for (const r of [...runs].sort((a, b) => b.startedAt - a.startedAt)) {
    const d = day(r.startedAt || 0);
    const label = d === today ? 'Today' : d === yesterday ? 'Yesterday' : d;
    groups.set(label, [...(groups.get(label) ?? []), r]);
  }
  return [...groups.entries()].map(([label, rs]) => ({ kind: 'group', id: `group:${label}`, label, runs: rs }));
}

export function runNode(run: RunSummary): TreeNode {
  return { kind: 'run', id: `run:${run.runDir}`, run };
}

export function childrenOf(node: TreeNode): TreeNode[] {
  switch (node.kind) {
    case 'group': return node.runs.map(runNode);
    case 'run': {
      const out: TreeNode[] = [];
      if (node.run.checkpoints.length) out.push({ kind: 'section', id: `ckpts:${node.run.runDir}`, label: 'Checkpoints', run: node.run });
      if (node.run.probes.length) out.push({ kind: 'section', id: `probes:${node.run.runDir}`, label: 'Probes', run: node.run });
      return out;
    }
    case 'section':
      return node.label === 'Checkpoints'
        ? [...node.run.checkpoints].reverse().map((step) => ({ kind: 'checkpoint', id: `ckpt:${node.run.runDir}:${step}`, run: node.run, step }))
        : node.run.probes.map((probe) => ({ kind: 'probe', id: `probe:${node.run.runDir}:${probe.id}`, run: node.run, probe }));
    default: return [];
  }
}

/** Short, so that the run id (the label) keeps the row's width: state, step and loss. The rest is in the tooltip. */
function runDescription(r: RunSummary): string {
  const parts: string[] = [r.displayState];
  const s = r.status;
  if (s) parts.push(`step ${s.step}/${s.totalSteps}`);
  if (s?.worldSize && s.worldSize > 1) parts.push(`×${s.worldSize} processes`); // torch under torchrun
  if (r.lastMetrics) parts.push(`loss ${fmtNum(r.lastMetrics.loss, 3)}`);
  return parts.join(' · ');
}

/** "k-NN top-1 43.8% (chance 10.0%, random init 21.0%)" */
/** " (2 blocks, 1 query, MLP)" for an attentive probe whose result names its head; "" otherwise. */
function headText(head: ProbeView['head']): string {
  const text = attentiveHeadText(head);
  return text ? ` (${text})` : '';
}

export function probeScoreText(p: ProbeView, floor?: number): string {
  const context = scoreContext(p.numClasses, floor, fmtPct).join(', ');
  return `top-1 ${fmtPct(p.top1)}${context ? ` (${context})` : ''}`;
}

function runTooltip(r: RunSummary): string {
  const s = r.status;
  const m = r.lastMetrics;
  const lines = [
    `${r.runId} (${r.algorithm.toUpperCase()}${r.preset ? `, ${r.preset}` : ''})`,
    `state: ${r.displayState}${r.displayState === 'interrupted' ? ' (status says running, but its process is gone; resume from the last checkpoint)' : ''}`,
  ];
  if (s) lines.push(`step ${s.step}/${s.totalSteps}, epoch ${s.epoch}, backend ${s.backend}, last checkpoint ${s.checkpointStep}`);
  if (m) lines.push(`loss ${fmtNum(m.loss)}  main ${fmtNum(m.loss_main)}  align ${fmtNum(m.loss_align)}  lr ${fmtNum(m.lr)}  ${fmtNum(m.imgs_per_s, 3)} img/s`);
  const floors = randomInitFloors(r.probes);
  for (const p of r.probes.filter((q) => q.state === 'done' && q.top1 !== null)) {
    const floor = p.randomInit || p.kind === 'unknown' ? undefined : floors[p.kind];
    lines.push(`${probeKindLabel(p.kind)} probe${p.randomInit ? ' (random init)' : ''}: ${probeScoreText(p, floor)}`);
  }
  if (s?.error) lines.push(`error: ${s.error}`);
  for (const w of s?.warnings ?? []) lines.push(`warning: ${w}`);
  lines.push(r.runDir);
  return lines.join('\n');
}

export function present(node: TreeNode): NodePresentation {
  switch (node.kind) {
    case 'group':
      return { label: node.label, description: `${node.runs.length} run${node.runs.length === 1 ? '' : 's'}`, icon: 'calendar', contextValue: 'group', collapsible: 'expanded' };
    case 'run': {
      const r = node.run;
      const st = STATE_ICONS[r.displayState];
      const hasChildren = r.checkpoints.length > 0 || r.probes.length > 0;
      const resumable = ['stopped', 'interrupted', 'failed', 'diverged'].includes(r.displayState) && r.checkpoints.length > 0;
      const ctx = ['run', `state-${r.displayState}`, resumable ? 'resumable' : '', r.checkpoints.length ? 'probeable' : ''].filter(Boolean).join(' ');
      return {
        label: r.runId, description: runDescription(r), tooltip: runTooltip(r), icon: st.icon, iconColor: st.color,
        contextValue: ctx, collapsible: hasChildren ? 'collapsed' : 'none',
      };
    }
    case 'section':
      return {
        label: node.label,
        description: node.label === 'Checkpoints' ? `${node.run.checkpoints.length}` : `${node.run.probes.length}`,
        icon: node.label === 'Checkpoints' ? 'database' : 'beaker', contextValue: 'section', collapsible: 'collapsed',
      };
    case 'checkpoint':
      return { label: `step ${node.step}`, icon: 'save', contextValue: 'checkpoint', collapsible: 'none', tooltip: `checkpoints/step-${String(node.step).padStart(6, '0')}` };
    case 'probe': {
      const p = node.probe;
      const running = p.kind === 'knn' ? 'running' : `running ${p.epoch}/${p.epochs || '?'}`;
      const val = p.state === 'running' ? running : p.state === 'failed' ? 'failed' : probeScoreText(p);
      return {
        label: `${probeKindLabel(p.kind)}${p.pixels ? ' (pixels)' : p.randomInit ? ' (random init)' : ''}`, description: val,
        tooltip: `${p.id}\n${probeKindLabel(p.kind)} probe${headText(p.head)}${p.checkpointStep !== null ? ` of checkpoint ${p.checkpointStep}` : ''}: ${val}${p.top5 !== null && p.state === 'done' ? `, top-5 ${fmtPct(p.top5)}` : ''}`,
        icon: p.state === 'running' ? 'loading~spin' : p.state === 'failed' ? 'error' : 'graph', contextValue: 'probe', collapsible: 'none',
      };
    }
  }
}
