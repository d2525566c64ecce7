// Run panels: one webview per run folder, fed by a RunFeed (snapshot on `ready`, then numbered deltas).
// No retainContextWhenHidden: a hidden panel is torn down and asks for a snapshot when shown again;
// a serializer brings panels back after a window reload.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ProbeKind } from '../protocol/run-files';
import { isRunPanelState, parseRunPanelMessage, type HostToRunPanel, type RunActions, type RunPanelIntent, type RunView } from '../protocol/webview';
import { assertNever } from '../protocol/events';
import { makeNonce, PANEL_SCRIPTS, renderPanelHtml, type PanelKind } from './panel-html';
import { RunFeed } from './run-feed';
import { readProbeAttention } from './run-reader';
import { readSampleData } from '../protocol/read/run-folder';

export const RUN_PANEL_VIEW_TYPE = 'mimLab.runPanel';

export interface RunPanelHost {
  extensionUri: vscode.Uri;
  isLiveRun(runDir: string): boolean;
  isLiveProbe(runDir: string, probeId: string): boolean;
  actionsFor(view: Omit<RunView, 'actions'>): RunActions;
  onIntent(runDir: string, intent: RunPanelIntent): void;
  onProbe(runDir: string, kind: ProbeKind): void;
  log(line: string): void;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    retainContextWhenHidden: false,
  };
}

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, panel: PanelKind, title: string): string {
  const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
  return renderPanelHtml({
    cspSource: webview.cspSource, nonce: makeNonce(), title, panel,
    scriptUri: asset(PANEL_SCRIPTS[panel]), styleUri: asset('panel.css'),
  });
}

class RunPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly createdAt = Date.now();
  readonly feed: RunFeed;

  constructor(readonly panel: vscode.WebviewPanel, readonly runDir: string, private readonly host: RunPanelHost, onDisposed: () => void) {
    const runId = runDir.split(/[\\/]/).pop() ?? runDir;
    panel.title = `Run ${runId}`;
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'mimlab.svg');
    panel.webview.options = webviewOptions(host.extensionUri);
    this.feed = new RunFeed({
      runDir,
      post: (m: HostToRunPanel): void => void panel.webview.postMessage(m),
      isLiveRun: () => host.isLiveRun(runDir),
      isLiveProbe: (id) => host.isLiveProbe(runDir, id),
      actions: (v) => host.actionsFor(v),
    });
    this.disposables.push({ dispose: () => this.feed.dispose() });
    panel.webview.onDidReceiveMessage((m: unknown) => this.handle(m), undefined, this.disposables);
    panel.onDidChangeViewState(() => {
      if (!panel.visible) this.feed.pause();
    }, undefined, this.disposables);
    panel.onDidDispose(() => {
      this.dispose();
      onDisposed();
    }, undefined, this.disposables);
    panel.webview.html = panelHtml(panel.webview, host.extensionUri, 'run', `Run ${runId}`);
  }

  private handle(raw: unknown): void {
    const msg = parseRunPanelMessage(raw);
    if (!msg) {
      this.host.log(`[run panel] ignored an invalid message: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    switch (msg.type) {
      case 'ready':
      case 'resync':
        this.host.log(`[run panel] ${msg.type} from ${this.runDir.split(/[\\/]/).pop()} after ${Date.now() - this.createdAt} ms: sending a snapshot`);
        this.feed.snapshot();
        return;
      case 'request-sample': {
        let sample = null;
        let error: string | undefined;
        try {
          sample = readSampleData(this.runDir, msg.step);
          if (!sample) error = `no samples at step ${msg.step}`;
        } catch (err) {
          error = (err as Error).message;
        }
        void this.panel.webview.postMessage({ type: 'sample', step: msg.step, sample, ...(error ? { error } : {}) } satisfies HostToRunPanel);
        return;
      }
      case 'request-probe-attention':
        void this.panel.webview.postMessage({ type: 'probe-attention', probeId: msg.probeId, attention: readProbeAttention(this.runDir, msg.probeId) } satisfies HostToRunPanel);
        return;
      case 'intent':
        this.host.onIntent(this.runDir, msg.action);
        return;
      case 'probe':
        this.host.onProbe(this.runDir, msg.kind);
        return;
      case 'webview-error':
        this.host.log(`[run panel] webview error: ${msg.message}`);
        return;
      default:
        assertNever(msg);
    }
  }

  dispose(): void {
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

export class RunPanels implements vscode.Disposable {
  private readonly panels = new Map<string, RunPanel>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly host: RunPanelHost) {
    this.disposables.push(vscode.window.registerWebviewPanelSerializer(RUN_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown): Promise<void> => {
        if (!isRunPanelState(state) || !existsSync(state.runDir)) {
          panel.dispose();
          return;
        }
        this.adopt(panel, state.runDir);
      },
    }));
  }

  private adopt(panel: vscode.WebviewPanel, runDir: string): RunPanel {
    this.panels.get(runDir)?.panel.dispose();
    const p = new RunPanel(panel, runDir, this.host, () => {
      if (this.panels.get(runDir) === p) this.panels.delete(runDir);
    });
    this.panels.set(runDir, p);
    return p;
  }

  show(runDir: string, preserveFocus = false): void {
    const existing = this.panels.get(runDir);
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(RUN_PANEL_VIEW_TYPE, 'Run', { viewColumn: vscode.ViewColumn.Active, preserveFocus }, webviewOptions(this.host.extensionUri));
    this.adopt(panel, runDir);
  }

  /** Something happened in this run (trainer event, file change): read the folder now. */
  nudge(runDir: string): void {
    this.panels.get(runDir)?.feed.poll();
  }

  /** Jobs or trust changed: every panel re-evaluates its buttons. */
  nudgeAll(): void {
    for (const p of this.panels.values()) p.feed.poll();
  }

  close(runDir: string): void {
    this.panels.get(runDir)?.panel.dispose();
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    this.panels.clear();
    for (const d of this.disposables) d.dispose();
  }
}
