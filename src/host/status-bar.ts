// Status bar item for the active run (the newest live pretraining job): step/total, imgs/s and ETA;
// clicking it opens the run's panel.
import * as vscode from 'vscode';
import { engineOfBackend } from '../protocol/run-files';
import type { RunManager } from './run-manager';
import type { TrainerJob } from '../jobs/trainer-job';

interface Progress {
  step: number;
  total: number;
  imgsPerS: number | null;
  /** Processes of a torch run under torchrun (1 otherwise). */
  worldSize?: number;
  /** Wall-clock steps per second measured over this job's life. */
  firstAt: number;
  firstStep: number;
  lastAt: number;
}

export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mimLab.activeRun', vscode.StatusBarAlignment.Left, 50);
  private readonly progress = new Map<number, Progress>();
  private readonly disposables: vscode.Disposable[] = [this.item];
  private renderTimer: NodeJS.Timeout | undefined;

  constructor(private readonly runs: RunManager) {
    this.item.name = 'MIM Lab: active run';
    this.disposables.push(
      runs.onJobEvent(({ job, event }) => {
        if (job.spec.kind === 'probe') return;
        const now = Date.now();
        const p = this.progress.get(job.id) ?? { step: 0, total: 0, imgsPerS: null, firstAt: now, firstStep: -1, lastAt: now };
        if (event.type === 'status') {
          p.step = event.status.step;
          p.total = event.status.totalSteps;
          p.worldSize = event.status.worldSize;
        } else if (event.type === 'metrics') {
          p.step = event.row.step;
          p.imgsPerS = event.row.imgs_per_s;
        } else {
          return;
        }
        if (p.firstStep < 0) {
          p.firstStep = p.step;
          p.firstAt = now;
        }
        p.lastAt = now;
        this.progress.set(job.id, p);
        this.scheduleRender();
      }),
      runs.onJobsChanged(() => this.scheduleRender()),
    );
  }

  private active(): TrainerJob | undefined {
    return this.runs.jobs().filter((j) => j.spec.kind !== 'probe' && j.runDir).sort((a, b) => b.startedAt - a.startedAt)[0];
  }

  private scheduleRender(): void {
    if (this.renderTimer) return;
    this.renderTimer = setTimeout(() => {
      this.renderTimer = undefined;
      this.render();
    }, 250);
  }

  private render(): void {
    const job = this.active();
    if (!job || !job.runDir) {
      this.item.hide();
      return;
    }
    const p = this.progress.get(job.id);
    const runId = job.runDir.split(/[\\/]/).pop() ?? '';
    const parts = [`$(sync~spin) MIM ${p && p.total ? `${p.step}/${p.total}` : 'starting'}`];
    if (p?.imgsPerS) parts.push(`${p.imgsPerS.toFixed(0)} img/s`);
    if (p && p.total && p.step > p.firstStep && p.lastAt > p.firstAt) {
      const rate = (p.step - p.firstStep) / ((p.lastAt - p.firstAt) / 1000);
      parts.push(`ETA ${formatEta((p.total - p.step) / rate)}`);
    }
    if (job.backend) parts.push(engineOfBackend(job.backend));
    if (p?.worldSize && p.worldSize > 1) parts.push(`×${p.worldSize}`);
    this.item.text = parts.join(' · ');
    this.item.tooltip = `MIM Lab: ${runId} (${job.backend ? `${engineOfBackend(job.backend)} engine, ${job.backend}` : 'backend pending'}); click to open its panel`;
    this.item.command = { command: 'mimLab.openRunPanel', title: 'Open Run Panel', arguments: [job.runDir] };
    this.item.show();
  }

  dispose(): void {
    if (this.renderTimer) clearTimeout(this.renderTimer);
    for (const d of this.disposables) d.dispose();
  }
}
