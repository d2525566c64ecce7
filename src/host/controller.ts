// The extension's state owner: RunManager (processes), the Runs tree, panels and the status bar, and the
// actions commands and webviews ask for. Views only show its state; webviews send intents here.
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Config } from '../config/schema';
import type { ProbeKind } from '../protocol/run-files';
import type { RunActions, RunPanelIntent, RunView } from '../protocol/webview';
import { ComparePanel } from './compare-panel';
import { stopExternal } from '../jobs/external-stop';
import { describeSpec, type JobSpec } from '../jobs/job-spec';
import { chooseNewRun } from './new-run';
import { configToRun } from './run-config';
import { resolveNodeRuntime } from './node-runtime';
import { openReport } from './report';
import { RunManager } from './run-manager';
import { RunPanels } from './run-panel';
import { readRunSummary } from './run-reader';
import { RunsTreeProvider } from './runs-tree';
import { readSettings, runsDirectory } from './settings';
import { RunStatusBar } from './status-bar';
import type { TrainerJob } from '../jobs/trainer-job';
import { withProbeProgress } from './probe-progress';
import { attentiveHeadSets } from './attentive-head-settings';
import { quickInputs } from './quick-input-gate';

export const UNTRUSTED_REASON = 'Training and probes are disabled in an untrusted workspace: they start processes and write files. Trust the workspace to enable them.';

export class Controller implements vscode.Disposable {
  readonly runs: RunManager;
  readonly tree: RunsTreeProvider;
  readonly panels: RunPanels;
  readonly compare: ComparePanel;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel) {
    const extensionUri = context.extensionUri;
    this.runs = new RunManager({ launch: () => this.launchOptions(), log: (l) => log.info(l) });
    this.tree = new RunsTreeProvider({
      runsDir: () => this.runsDir(),
      isLiveRun: (d) => this.runs.isLiveRun(d),
      isLiveProbe: (d, id) => this.runs.isLiveProbe(d, id),
    });
    this.disposables.push(this.tree);
    this.panels = new RunPanels({
      extensionUri,
      isLiveRun: (d) => this.runs.isLiveRun(d),
      isLiveProbe: (d, id) => this.runs.isLiveProbe(d, id),
      actionsFor: (v) => this.actionsFor(v),
      onIntent: (d, i) => void this.onIntent(d, i),
      onProbe: (d, k) => void this.probe(d, k),
      log: (l) => log.info(l),
    });
    this.disposables.push(this.panels);
    this.compare = new ComparePanel({ extensionUri, isLiveRun: (d) => this.runs.isLiveRun(d), openRun: (d) => this.panels.show(d), log: (l) => log.info(l) });
    this.disposables.push(this.compare, new RunStatusBar(this.runs));
    this.disposables.push(
      this.runs.onJobEvent(({ job, event }) => {
        if (job.runDir) this.panels.nudge(job.runDir);
        if (['hello', 'checkpoint', 'probe-result', 'done', 'status'].includes(event.type)) this.tree.refreshSoon(event.type === 'status' ? 500 : 100);
      }),
      this.runs.onJobsChanged(() => {
        this.panels.nudgeAll();
        this.tree.refreshSoon(100);
      }),
      this.runs.onJobEnded(({ job, failure }) => {
        if (job.runDir) this.panels.nudge(job.runDir);
        if (failure) this.showFailure(job, failure);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mimLab.runsDirectory')) {
          this.tree.watch();
          this.tree.reload();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.panels.nudgeAll()),
    );
  }

  runsDir(): string {
    return runsDirectory(this.context);
  }

  launchOptions(): { execPath: string; trainerPath: string; env: NodeJS.ProcessEnv; cwd: string } {
    const settings = readSettings();
    const runtime = resolveNodeRuntime(settings.nodePath);
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? this.context.extensionUri.fsPath;
    return { execPath: runtime.execPath, trainerPath: path.join(this.context.extensionUri.fsPath, 'dist', 'trainer.js'), env: { ...process.env, ...runtime.env }, cwd };
  }

  actionsFor(v: Omit<RunView, 'actions'>): RunActions {
    const trusted = vscode.workspace.isTrusted;
    const live = this.runs.isLiveRun(v.runDir);
    return {
      stop: v.displayState === 'running',
      resume: trusted && !live && ['stopped', 'interrupted', 'failed', 'diverged'].includes(v.displayState) && v.checkpoints.length > 0,
      probe: trusted && v.checkpoints.length > 0,
      ...(trusted ? {} : { disabledReason: UNTRUSTED_REASON }),
    };
  }

  /** Explains and refuses when the workspace is not trusted. */
  ensureTrusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage(`MIM Lab: ${UNTRUSTED_REASON}`, 'Manage Workspace Trust').then((a) => {
      if (a) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return false;
  }

  private start(spec: JobSpec): TrainerJob | undefined {
    try {
      return this.runs.start(spec);
    } catch (err) {
      void vscode.window.showErrorMessage(`MIM Lab: could not start the ${describeSpec(spec)}: ${(err as Error).message}`);
      return undefined;
    }
  }

  private showFailure(job: TrainerJob, failure: string): void {
    const [first, ...rest] = failure.split('\n');
    const last = rest.filter((l) => l.trim()).slice(-1)[0];
    quickInputs.notify(() => void vscode.window.showErrorMessage(`MIM Lab: ${describeSpec(job.spec)} failed: ${first}${last ? ` … ${last.trim()}` : ''}`, 'Show Log').then((pick) => {
      if (pick) this.log.show(true);
    }));
  }

  async newRun(fileArg?: vscode.Uri): Promise<void> {
    if (!this.ensureTrusted()) return;
    const choice = await chooseNewRun(fileArg);
    if (!choice) return;
    let config: Config;
    try {
      config = configToRun(choice.config, readSettings());
    } catch (err) {
      void vscode.window.showErrorMessage(`MIM Lab: cannot start the run: ${(err as Error).message}`);
      return;
    }
    const job = this.start({ kind: 'pretrain', runsDir: this.runsDir(), config, python: readSettings().pythonPath, nproc: choice.nproc });
    if (!job) return;
    const sub = job.onEvent((e) => {
      if (e.type !== 'hello' || !job.runDir) return;
      sub.dispose();
      this.tree.reload();
      this.panels.show(job.runDir);
    });
  }

  async stop(runDir: string): Promise<void> {
    const job = this.runs.jobFor(runDir);
    this.log.info(`stop ${runDir}: ${job ? `job ${job.id}` : 'no job of this window, signalling its pid'}`);
    if (job) {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'MIM Lab: stopping run…' }, () => this.runs.stop(job));
    } else {
      const pid = readRunSummary(runDir).status?.pid;
      const how = pid ? await stopExternal(pid) : null;
      if (!how) void vscode.window.showInformationMessage('MIM Lab: this run has no live trainer process to stop.');
    }
    this.tree.reload();
    this.panels.nudge(runDir);
  }

  async resume(runDir: string): Promise<void> {
    this.log.info(`resume ${runDir}`);
    if (!this.ensureTrusted()) return;
    const s = readRunSummary(runDir, this.runs.isLiveRun(runDir));
    if (s.displayState === 'running') {
      void vscode.window.showInformationMessage('MIM Lab: this run is already running.');
      return;
    }
    if (!s.checkpoints.length) {
      void vscode.window.showWarningMessage('MIM Lab: this run has no checkpoint to resume from.');
      return;
    }
    const settings = readSettings();
    if (this.start({ kind: 'resume', runDir, backend: settings.backend, python: settings.pythonPath })) this.tree.refreshSoon(100);
  }

  async probe(runDir: string, kind: ProbeKind, checkpoint?: string): Promise<void> {
    if (!this.ensureTrusted()) return;
    if (!readRunSummary(runDir).checkpoints.length) {
      void vscode.window.showWarningMessage('MIM Lab: probes need a checkpoint; this run has none yet.');
      return;
    }
    const settings = readSettings();
    const head = kind === 'attentive' ? attentiveHeadSets(settings.attentiveHead) : { sets: [] };
    if ('error' in head) {
      void vscode.window.showErrorMessage(`MIM Lab: ${head.error}`);
      return;
    }
    const job = this.start({ kind: 'probe', runDir, probe: kind, checkpoint, backend: settings.backend, ...(head.sets.length ? { sets: head.sets } : {}) });
    if (!job) return;
    this.tree.refreshSoon(100);
    await withProbeProgress(job, this.runs, () => this.panels.show(runDir));
    this.tree.reload();
    this.panels.nudge(runDir);
  }

  openPanel(runDir: string): void {
    this.panels.show(runDir);
  }

  compareRuns(runDirs: string[]): void {
    this.compare.show(runDirs);
  }

  async reveal(runDir: string): Promise<void> {
    const uri = vscode.Uri.file(runDir);
    if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
    else await vscode.commands.executeCommand('revealFileInOS', uri);
  }

  async deleteRun(runDir: string): Promise<void> {
    if (this.runs.isLiveRun(runDir) || this.runs.probeJobsFor(runDir).length) {
      void vscode.window.showWarningMessage('MIM Lab: stop the run and its probes before deleting it.');
      return;
    }
    const name = path.basename(runDir);
    const ok = await vscode.window.showWarningMessage(`Delete run "${name}"?`, { modal: true, detail: `This removes ${runDir} with its checkpoints, samples and probes. It cannot be undone.` }, 'Delete');
    if (ok !== 'Delete') return;
    this.panels.close(runDir);
    if (existsSync(runDir)) rmSync(runDir, { recursive: true, force: true });
    this.tree.reload();
  }

  async openReport(runDir: string): Promise<void> {
    await openReport(this.context, runDir, this.log);
  }

  private async onIntent(runDir: string, intent: RunPanelIntent): Promise<void> {
    switch (intent) {
      case 'stop': return this.stop(runDir);
      case 'resume': return this.resume(runDir);
      case 'reveal': return this.reveal(runDir);
    }
  }

  /** Stops every child; deactivate returns this promise so none is orphaned. */
  async shutdown(): Promise<void> {
    await this.runs.dispose();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
