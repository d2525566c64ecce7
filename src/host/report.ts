// "Open Report": shows a run's self-contained `report.html` in a webview. The report is written by our own CLI;
// it still gets a strict CSP (no network), and its inline scripts run only because we add this load's nonce.
import { existsSync, readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RUN_FILES } from '../protocol/run-files';
import { makeNonce } from './panel-html';
import { prepareReportHtml } from './report-html';
import { resolveNodeRuntime } from './node-runtime';
import { readSettings } from './settings';

function generate(context: vscode.ExtensionContext, runDir: string): Promise<string> {
  const cli = path.join(context.extensionUri.fsPath, 'dist', 'cli.js');
  const runtime = resolveNodeRuntime(readSettings().nodePath);
  return new Promise((resolve, reject) => {
    execFile(runtime.execPath, [cli, 'report', runDir], { env: { ...process.env, ...runtime.env }, timeout: 120_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(stderr.trim().split('\n').slice(-3).join(' ') || err.message));
      else resolve(path.join(runDir, RUN_FILES.report));
    });
  });
}

/** Writes the run's report with the CLI (fresh: the run may have moved on) and shows it in a webview. */
export async function openReport(context: vscode.ExtensionContext, runDir: string, log: vscode.LogOutputChannel): Promise<void> {
  const file = path.join(runDir, RUN_FILES.report);
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'MIM Lab: writing the report…' }, () => generate(context, runDir));
  } catch (err) {
    log.error(`report: ${(err as Error).message}`);
    if (!existsSync(file)) {
      void vscode.window.showErrorMessage(`MIM Lab: could not write the report: ${(err as Error).message}`);
      return;
    }
    void vscode.window.showWarningMessage(`MIM Lab: could not refresh the report, showing the last one: ${(err as Error).message}`);
  }
  const panel = vscode.window.createWebviewPanel('mimLab.report', `Report ${path.basename(runDir)}`, vscode.ViewColumn.Active, {
    enableScripts: true, enableCommandUris: false, localResourceRoots: [],
  });
  panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'mimlab.svg');
  panel.webview.html = prepareReportHtml(readFileSync(file, 'utf8'), makeNonce());
}
