// "Open Report": shows a run's self-contained `report.html` in a webview. The report is written by our own CLI;
// it still gets a strict CSP (no network), and its inline scripts run only because we add this load's nonce.
import { existsSync, readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RUN_FILES } from '../protocol/run-files';
import { makeNonce } from './panel-html';
import { resolveNodeRuntime } from './node-runtime';
import { readSettings } from './settings';

export function reportCsp(nonce: string): string {
  return `default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; script-src 'nonce-${nonce}'; connect-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'`;
}

/** Adds the CSP meta tag and the nonce to every script tag of a report page. */
export function prepareReportHtml(html: string, nonce: string): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${reportCsp(nonce)}">`;
  const withNonce = html.replace(/<script(?![^>]*\bnonce=)/gi, `<script nonce="${nonce}"`);
  return /<head[^>]*>/i.test(withNonce) ? withNonce.replace(/<head[^>]*>/i, (m) => `${m}\n${meta}`) : `${meta}\n${withNonce}`;
}

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

export async function openReport(context: vscode.ExtensionContext, runDir: string, log: vscode.LogOutputChannel): Promise<void> {
  let file = path.join(runDir, RUN_FILES.report);
  if (!existsSync(file)) {
    try {
      file = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'MIM Lab: writing the report…' }, () => generate(context, runDir));
    } catch (err) {
      log.error(`report: ${(err as Error).message}`);
      void vscode.window.showErrorMessage(`MIM Lab: could not write the report: ${(err as Error).message}`);
      return;
    }
  }
  const panel = vscode.window.createWebviewPanel('mimLab.report', `Report ${path.basename(runDir)}`, vscode.ViewColumn.Active, {
    enableScripts: true, enableCommandUris: false, localResourceRoots: [],
  });
  panel.webview.html = prepareReportHtml(readFileSync(file, 'utf8'), makeNonce());
}
