// Wires the Experiments view to the rest of the extension: the runs folder, the compare panel and run panels of
// the Controller, and the window's sweep queue; registers "MIM Lab: Open Experiments". Shut down with the window.
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { SweepRequest } from '../protocol/experiments';
import { readSweepStatus } from '../sweep/folder';
import type { Controller } from './controller';
import { ExperimentsPanel, sweepsDirFor } from './experiments-panel';
import { SweepQueue, sweepArgs } from './experiments-sweeps';
import { stopExternal } from '../jobs/external-stop';
import { readSettings } from './settings';

export class Experiments implements vscode.Disposable {
  readonly panel: ExperimentsPanel;
  readonly sweeps: SweepQueue;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly c: Controller, extensionUri: vscode.Uri, log: vscode.LogOutputChannel) {
    this.sweeps = new SweepQueue(() => c.launchOptions(), (l) => log.info(l));
    this.panel = new ExperimentsPanel({
      extensionUri,
      runsDir: () => c.runsDir(),
      isLiveRun: (d) => c.runs.isLiveRun(d),
      ownSweeps: () => this.sweeps.states(),
      compare: (dirs) => c.compareRuns(dirs),
      openRun: (d) => c.openPanel(d),
      queueSweep: (r) => this.queue(r),
      cancelSweep: (id) => this.cancel(id),
      resumeSweep: (id) => this.resume(id),
      log: (l) => log.info(l),
    });
    this.disposables.push(
      this.panel,
      this.sweeps.onChanged(() => this.panel.nudge()),
      this.sweeps.onEnded((e) => {
        c.tree.reload();
        if (e.error) void vscode.window.showErrorMessage(`MIM Lab: sweep ${e.id}: ${e.error}`);
      }),
      c.runs.onJobsChanged(() => this.panel.nudge()),
      vscode.commands.registerCommand('mimLab.openExperiments', () => this.panel.show()),
    );
  }

  private sweepsDir(): string {
    return sweepsDirFor(this.c.runsDir());
  }

  private queue(r: SweepRequest): void {
    if (!this.c.ensureTrusted()) return;
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const id = `${r.preset}-${stamp}`;
    this.sweeps.enqueue(id, sweepArgs(r, id, this.c.runsDir(), this.sweepsDir(), readSettings().backend));
  }

  private resume(id: string): void {
    if (!this.c.ensureTrusted()) return;
    this.sweeps.enqueue(id, [join(this.sweepsDir(), basename(id))]);
  }

  /** A sweep of this window stops through its queue; one started elsewhere (the CLI) by its pid. */
  private async cancel(id: string): Promise<void> {
    if (await this.sweeps.cancel(id)) return;
    const status = readSweepStatus(join(this.sweepsDir(), basename(id)));
    const how = status?.state === 'running' ? await stopExternal(status.pid) : null;
    if (!how) void vscode.window.showInformationMessage(`MIM Lab: sweep ${id} has no live process to stop.`);
  }

  shutdown(): Promise<void> {
    return this.sweeps.dispose();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
