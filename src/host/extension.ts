// Extension entry: wires the Controller (runs, tree, panels, status bar) and the commands.
// deactivate() returns the promise of every trainer child's shutdown, so none outlives the editor.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerConfigDiagnostics } from './config-diagnostics';
import { Controller } from './controller';
import { registerRowClick } from './row-click';
import { Experiments } from './experiments-host';

let controller: Controller | undefined;
let experiments: Experiments | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('MIM Lab', { log: true });
  context.subscriptions.push(log);
  const c = new Controller(context, log);
  controller = c;
  context.subscriptions.push(c);
  const runsView = vscode.window.createTreeView('mimLab.runs', { treeDataProvider: c.tree, canSelectMany: true, showCollapseAll: true });
  context.subscriptions.push(runsView, registerRowClick(runsView, (dir) => c.openPanel(dir), (l) => log.info(l)));
  context.subscriptions.push(...registerCommands(c));
  context.subscriptions.push(registerConfigDiagnostics());
  experiments = new Experiments(c, context.extensionUri, log);
  context.subscriptions.push(experiments);
  log.info(`MIM Lab activated; runs folder ${c.runsDir()}`);
}

export function deactivate(): Promise<void> | undefined {
  const c = controller;
  const e = experiments;
  controller = undefined;
  experiments = undefined;
  return c && Promise.all([c.shutdown(), e?.shutdown()]).then(() => undefined);
}
