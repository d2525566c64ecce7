// A cancellable progress notification for a probe job: epochs as they come, top-1 at the end.
import * as vscode from 'vscode';
import { describeSpec } from '../jobs/job-spec';
import { quickInputs } from './quick-input-gate';
import type { RunManager } from './run-manager';
import type { TrainerJob } from '../jobs/trainer-job';
import { fmtPct } from './tree-model';

export async function withProbeProgress(job: TrainerJob, runs: RunManager, openPanel: () => void): Promise<void> {
  const title = `MIM Lab: ${describeSpec(job.spec)}`;
  let top1: number | null = null;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    let lastFraction = 0;
    const sub = job.onEvent((e) => {
      if (e.type === 'probe-progress') {
        const fraction = e.epochs > 0 ? e.epoch / e.epochs : 0;
        progress.report({ increment: Math.max(0, (fraction - lastFraction) * 100), message: `epoch ${e.epoch}/${e.epochs} · test top-1 ${fmtPct(e.row.test_top1)}` });
        lastFraction = fraction;
      } else if (e.type === 'probe-result') {
        top1 = e.result.top1;
      } else if (e.type === 'log' && e.level !== 'error') {
        progress.report({ message: e.message.slice(0, 120) });
      }
    });
    const cancel = token.onCancellationRequested(() => void runs.stop(job));
    try {
      await job.exited;
    } finally {
      sub.dispose();
      cancel.dispose();
    }
  });
  const exit = job.exit;
  // Held while a quick pick of ours is open (e.g. the next probe's run picker): a toast would close it.
  const done = top1;
  if (done !== null) {
    quickInputs.notify(() => void vscode.window.showInformationMessage(`${title}: top-1 ${fmtPct(done)}`, 'Open Run Panel').then((a) => {
      if (a) openPanel();
    }));
  } else if (exit?.stoppedBy) {
    quickInputs.notify(() => void vscode.window.showInformationMessage(`${title}: cancelled`));
  }
}
