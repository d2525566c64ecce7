// What every MIM Lab webview panel does when it gets its WebviewPanel (new or restored by a serializer): title,
// icon, options, listeners registered in the panel's disposables on the line that creates them, and its HTML.
import * as vscode from 'vscode';
import type { PanelKind } from './panel-html';
import { panelHtml, webviewOptions } from './run-panel';

export interface PanelWiring {
  extensionUri: vscode.Uri;
  kind: PanelKind;
  title: string;
  onMessage: (m: unknown) => void;
  /** The panel was hidden: its webview is gone (retainContextWhenHidden is off) until it says `ready` again. */
  onHidden: () => void;
  onDisposed: () => void;
}

export function wirePanel(panel: vscode.WebviewPanel, o: PanelWiring, disposables: vscode.Disposable[]): void {
  panel.title = o.title;
  panel.iconPath = vscode.Uri.joinPath(o.extensionUri, 'media', 'mimlab.svg');
  panel.webview.options = webviewOptions(o.extensionUri);
  panel.webview.onDidReceiveMessage(o.onMessage, undefined, disposables);
  panel.onDidChangeViewState(() => {
    if (!panel.visible) o.onHidden();
  }, undefined, disposables);
  panel.onDidDispose(o.onDisposed, undefined, disposables);
  panel.webview.html = panelHtml(panel.webview, o.extensionUri, o.kind, o.title);
}
