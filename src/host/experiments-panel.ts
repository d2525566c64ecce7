// The Experiments view: a webview panel with every run of the runs folder (sortable, filterable, grouped with
// mean ± sd), sweeps to queue and cancel, a scatter plot and side-by-side reconstructions under one step slider.
// It gets full snapshots: on `ready`, on a change of grouping, and every 3 s while visible when the folders changed.
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { assertNever } from '../protocol/events';
import { parseExperimentsMessage, type ExperimentsToHost, type HostToExperiments, type SweepRequest } from '../protocol/experiments';
import { buildExperimentsSnapshot } from './experiments-data';
import { readSampleData } from '../protocol/read/run-folder';
import { listRunDirs } from './run-reader';
import { wirePanel } from './panel-wiring';
import { webviewOptions } from './run-panel';

export const EXPERIMENTS_VIEW_TYPE = 'mimLab.experimentsPanel';

export interface ExperimentsHost {
  extensionUri: vscode.Uri;
  runsDir(): string;
  isLiveRun(runDir: string): boolean;
  ownSweeps(): Map<string, 'queued' | 'running'>;
  compare(runDirs: string[]): void;
  openRun(runDir: string): void;
  queueSweep(request: SweepRequest): void;
  cancelSweep(id: string): Promise<void>;
  resumeSweep(id: string): void;
  log(line: string): void;
}

/** Sweep folders sit next to the runs folder: `.mimlab/runs` → `.mimlab/sweeps`. */
export function sweepsDirFor(runsDir: string): string {
  return join(dirname(runsDir), 'sweeps');
}

/** The open panel, whether its webview has said `ready` since it was last shown, and what it registered. */
interface Attached {
  panel: vscode.WebviewPanel;
  ready: boolean;
  disposables: vscode.Disposable[];
}

export class ExperimentsPanel implements vscode.Disposable {
  private view: Attached | null = null;
  private refresh: NodeJS.Timeout | undefined;
  private groupBy: string[] = [];
  private seq = 0;
  private last = '';
  private readonly serializer: vscode.Disposable;

  constructor(private readonly host: ExperimentsHost) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(EXPERIMENTS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel): Promise<void> => this.attach(panel),
    });
  }

  show(): void {
    if (this.view) {
      this.view.panel.reveal();
      this.post(true);
      return;
    }
    this.attach(vscode.window.createWebviewPanel(EXPERIMENTS_VIEW_TYPE, 'Experiments', vscode.ViewColumn.Active, webviewOptions(this.host.extensionUri)));
  }

  /** Something changed (a job or sweep ended): refresh now rather than at the next tick. */
  nudge(): void {
    this.post(false);
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.detach();
    const view: Attached = { panel, ready: false, disposables: [] };
    this.view = view;
    wirePanel(panel, {
      extensionUri: this.host.extensionUri, kind: 'experiments', title: 'Experiments',
      onMessage: (m) => void this.handle(m), onHidden: () => { view.ready = false; }, onDisposed: () => this.detach(),
    }, view.disposables);
  }

  private detach(): void {
    clearTimeout(this.refresh);
    const view = this.view;
    this.view = null;
    for (const d of view?.disposables ?? []) d.dispose();
  }

  private runDirOf(runId: string): string | undefined {
    return listRunDirs(this.host.runsDir()).find((d) => basename(d) === runId);
  }

  private async handle(raw: unknown): Promise<void> {
    const msg: ExperimentsToHost | null = parseExperimentsMessage(raw);
    if (!msg) {
      this.host.log(`[experiments] ignored an invalid message: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    switch (msg.type) {
      case 'ready':
        if (this.view) this.view.ready = true;
        this.post(true);
        return;
      case 'group-by':
        this.groupBy = msg.keys;
        this.post(true);
        return;
      case 'compare': {
        const dirs = msg.runIds.map((id) => this.runDirOf(id)).filter((d): d is string => d !== undefined);
        if (dirs.length >= 2) this.host.compare(dirs);
        else void vscode.window.showInformationMessage('MIM Lab: select at least two runs to compare.');
        return;
      }
      case 'open-run': {
        const dir = this.runDirOf(msg.runId);
        if (dir) this.host.openRun(dir);
        return;
      }
      case 'request-strip': {
        const dir = this.runDirOf(msg.runId);
        const data = dir ? readSampleData(dir, msg.step) : null;
        const strip = data && {
          runId: msg.runId, step: msg.step, image: data.reconstruction, views: data.manifest.views, indices: data.manifest.indices, labels: data.manifest.labels,
        };
        this.send({ type: 'strip', runId: msg.runId, step: msg.step, strip });
        return;
      }
      case 'queue-sweep':
        this.host.queueSweep(msg.request);
        this.post(true);
        return;
      case 'cancel-sweep':
        await this.host.cancelSweep(msg.id);
        this.post(true);
        return;
      case 'resume-sweep':
        this.host.resumeSweep(msg.id);
        this.post(true);
        return;
      case 'export-csv': {
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const uri = await vscode.window.showSaveDialog({ filters: { CSV: ['csv'] }, defaultUri: folder ? vscode.Uri.joinPath(folder, 'experiments.csv') : undefined });
        if (!uri) return;
        writeFileSync(uri.fsPath, msg.csv);
        void vscode.window.showInformationMessage(`MIM Lab: wrote ${uri.fsPath}`);
        return;
      }
      case 'webview-error':
        this.host.log(`[experiments] webview error: ${msg.message}`);
        return;
      default:
        assertNever(msg);
    }
  }

  private send(msg: HostToExperiments): void {
    void this.view?.panel.webview.postMessage(msg);
  }

  /** Posts a snapshot when it differs from the last one (always when forced), then looks again in 3 s. */
  private post(force: boolean): void {
    if (!this.view?.ready) return;
    clearTimeout(this.refresh);
    const runsDir = this.host.runsDir();
    const snapshot = buildExperimentsSnapshot({
      runsDir, sweepsDir: sweepsDirFor(runsDir), groupBy: this.groupBy, isLiveRun: (d) => this.host.isLiveRun(d),
      ownSweeps: this.host.ownSweeps(), canRun: vscode.workspace.isTrusted,
    });
    const text = JSON.stringify(snapshot);
    if (force || text !== this.last) {
      this.last = text;
      this.seq += 1;
      this.send({ type: 'snapshot', seq: this.seq, snapshot });
    }
    this.refresh = setTimeout(() => this.post(false), 3000);
  }

  dispose(): void {
    this.view?.panel.dispose();
    this.detach();
    this.serializer.dispose();
  }
}
