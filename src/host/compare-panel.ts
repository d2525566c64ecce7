// The compare panel: selected runs' loss curves overlaid and their probe results in one table.
// It receives complete snapshots (on `ready`, and at most every 2 s while a compared run is busy).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PROBE_FILES, RUN_FILES } from '../protocol/run-files';
import * as vscode from 'vscode';
import { assertNever } from '../protocol/events';
import { isComparePanelState, parseComparePanelMessage, type HostToComparePanel } from '../protocol/webview';
import { buildCompareRuns } from './compare-data';
import { wirePanel } from './panel-wiring';
import { webviewOptions } from './run-panel';

export const COMPARE_PANEL_VIEW_TYPE = 'mimLab.comparePanel';

/** Sizes and times of what a compare snapshot reads, to skip rebuilding it when nothing changed. */
function folderSignature(runDirs: readonly string[]): string {
  const stamp = (f: string): string => {
    try {
      const st = statSync(f);
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return '-';
    }
  };
  const probes = (d: string): string => {
    try {
      return readdirSync(join(d, RUN_FILES.probes)).map((id) => `${id}=${stamp(join(d, RUN_FILES.probes, id, PROBE_FILES.result))}`).join(',');
    } catch {
      return '';
    }
  };
  return runDirs.map((d) => [stamp(join(d, RUN_FILES.metrics)), stamp(join(d, RUN_FILES.status)), probes(d)].join('|')).join(';');
}

export interface ComparePanelHost {
  extensionUri: vscode.Uri;
  isLiveRun(runDir: string): boolean;
  openRun(runDir: string): void;
  log(line: string): void;
}

export class ComparePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private runDirs: string[] = [];
  private seq = 0;
  private signature = '';
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private panelDisposables: vscode.Disposable[] = [];

  constructor(private readonly host: ComparePanelHost) {
    this.disposables.push(vscode.window.registerWebviewPanelSerializer(COMPARE_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown): Promise<void> => {
        const dirs = isComparePanelState(state) ? state.runDirs.filter((d) => existsSync(d)) : [];
        if (dirs.length === 0) {
          panel.dispose();
          return;
        }
        this.attach(panel, dirs);
      },
    }));
  }

  show(runDirs: string[]): void {
    if (this.panel) {
      this.runDirs = runDirs;
      this.panel.reveal();
      this.post();
      return;
    }
    const panel = vscode.window.createWebviewPanel(COMPARE_PANEL_VIEW_TYPE, 'Compare Runs', vscode.ViewColumn.Active, webviewOptions(this.host.extensionUri));
    this.attach(panel, runDirs);
  }

  private attach(panel: vscode.WebviewPanel, runDirs: string[]): void {
    this.detach();
    this.panel = panel;
    this.runDirs = runDirs;
    wirePanel(panel, {
      extensionUri: this.host.extensionUri, kind: 'compare', title: `Compare ${runDirs.length} Runs`,
      onMessage: (m) => this.handle(m), onHidden: () => { this.ready = false; }, onDisposed: () => this.detach(),
    }, this.panelDisposables);
  }

  private detach(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.ready = false;
    this.panel = undefined;
    while (this.panelDisposables.length) this.panelDisposables.pop()?.dispose();
  }

  private handle(raw: unknown): void {
    const msg = parseComparePanelMessage(raw);
    if (!msg) {
      this.host.log(`[compare panel] ignored an invalid message: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.post();
        return;
      case 'open-run': {
        const dir = this.runDirs.find((d) => basename(d) === msg.runId);
        if (dir) this.host.openRun(dir);
        return;
      }
      case 'webview-error':
        this.host.log(`[compare panel] webview error: ${msg.message}`);
        return;
      default:
        assertNever(msg);
    }
  }

  /**
   * Sends a fresh snapshot when the compared folders changed (always after `ready`), and checks again every
   * 3 s while a compared run or probe is running.
   */
  private post(force = true): void {
    if (!this.panel || !this.ready) return;
    if (this.timer) clearTimeout(this.timer);
    const signature = folderSignature(this.runDirs);
    let busy = true;
    if (force || signature !== this.signature) {
      this.signature = signature;
      const runs = buildCompareRuns(this.runDirs, (d) => this.host.isLiveRun(d));
      this.seq += 1;
      void this.panel.webview.postMessage({ type: 'snapshot', seq: this.seq, runs } satisfies HostToComparePanel);
      busy = runs.some((r) => r.displayState === 'running' || r.probes.some((p) => p.state === 'running'));
    }
    if (busy) this.timer = setTimeout(() => this.post(false), 3000);
  }

  dispose(): void {
    this.panel?.dispose();
    this.detach();
    for (const d of this.disposables) d.dispose();
  }
}
