// Palette and context-menu commands ("MIM Lab: …"). Each resolves which run it acts on (tree node, path,
// URI, or a quick pick) and hands over to the Controller.
import * as vscode from 'vscode';
import type { ProbeKind } from '../protocol/run-files';
import type { DisplayState } from '../protocol/webview';
import { probeKindLabel } from '../protocol/probe-scores';
import { quickInputs } from './quick-input-gate';
import type { Controller } from './controller';
import type { RunSummary } from './run-reader';
import type { TreeNode } from './tree-model';

function isTreeNode(x: unknown): x is TreeNode {
  return typeof x === 'object' && x !== null && typeof (x as { kind?: unknown }).kind === 'string' && typeof (x as { id?: unknown }).id === 'string';
}

/** The run folder an argument points at, if any. */
export function runDirOfArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (isTreeNode(arg) && arg.kind !== 'group') return arg.run.runDir;
  return undefined;
}

async function pickRun(c: Controller, placeHolder: string, filter: (r: RunSummary) => boolean = () => true): Promise<string | undefined> {
  c.tree.reload();
  const runs = c.tree.summaries().filter(filter);
  if (!runs.length) {
    void vscode.window.showInformationMessage('MIM Lab: no matching runs.');
    return undefined;
  }
  const pick = await quickInputs.show(() => vscode.window.showQuickPick(runs.map((r) => ({ label: r.runId, description: `${r.displayState} · ${r.algorithm}`, runDir: r.runDir })), { placeHolder }));
  return pick?.runDir;
}

const RESUMABLE: readonly DisplayState[] = ['stopped', 'interrupted', 'failed', 'diverged'];

export function registerCommands(c: Controller): vscode.Disposable[] {
  const run = (arg: unknown, placeHolder: string, filter?: (r: RunSummary) => boolean): Promise<string | undefined> =>
    Promise.resolve(runDirOfArg(arg) ?? pickRun(c, placeHolder, filter));
  const probe = (kind: ProbeKind) => async (arg: unknown): Promise<void> => {
    const dir = await run(arg, `Run a ${probeKindLabel(kind)} probe on…`, (r) => r.checkpoints.length > 0);
    // From a checkpoint row: probe that checkpoint; otherwise the latest.
    const checkpoint = isTreeNode(arg) && arg.kind === 'checkpoint' ? String(arg.step) : undefined;
    if (dir) await c.probe(dir, kind, checkpoint);
  };
  const reg = (id: string, fn: (...args: unknown[]) => unknown): vscode.Disposable => vscode.commands.registerCommand(id, fn);
  return [
    reg('mimLab.newRun', (arg) => c.newRun(arg instanceof vscode.Uri ? arg : undefined)),
    reg('mimLab.startConfigFile', (arg) => {
      const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
      if (!uri || !uri.fsPath.endsWith('.mimlab.json')) {
        void vscode.window.showWarningMessage('MIM Lab: open a *.mimlab.json config file first.');
        return undefined;
      }
      return c.newRun(uri);
    }),
    reg('mimLab.stopRun', async (arg) => {
      const dir = await run(arg, 'Stop which run?', (r) => r.displayState === 'running');
      if (dir) await c.stop(dir);
    }),
    reg('mimLab.resumeRun', async (arg) => {
      const dir = await run(arg, 'Resume which run?', (r) => RESUMABLE.includes(r.displayState) && r.checkpoints.length > 0);
      if (dir) await c.resume(dir);
    }),
    reg('mimLab.openRunPanel', async (arg) => {
      const dir = await run(arg, 'Open which run?');
      if (dir) c.openPanel(dir);
    }),
    reg('mimLab.runLinearProbe', probe('linear')),
    reg('mimLab.runAttentiveProbe', probe('attentive')),
    reg('mimLab.runKnnProbe', probe('knn')),
    reg('mimLab.compareRuns', async (arg, selected) => {
      let dirs = (Array.isArray(selected) ? selected : [arg]).map(runDirOfArg).filter((d): d is string => d !== undefined);
      dirs = [...new Set(dirs)];
      if (dirs.length < 2) {
        c.tree.reload();
        const runs = c.tree.summaries();
        if (runs.length < 2) {
          void vscode.window.showInformationMessage(`MIM Lab: Compare needs at least two runs; ${runs.length ? 'there is only one' : 'there are none yet'}.`);
          return;
        }
        const picks = await quickInputs.show(() => vscode.window.showQuickPick(
          runs.map((r) => ({ label: r.runId, description: `${r.displayState} · ${r.algorithm}`, picked: dirs.includes(r.runDir), runDir: r.runDir })),
          { canPickMany: true, title: 'MIM Lab: Compare Runs', placeHolder: 'Select at least two runs to compare (Space toggles a run, Enter compares)' },
        ));
        if (!picks?.length) return;
        if (picks.length < 2) {
          void vscode.window.showWarningMessage('MIM Lab: Compare needs at least two runs; select two or more.');
          return;
        }
        dirs = picks.map((p) => p.runDir);
      }
      c.compareRuns(dirs);
    }),
    reg('mimLab.openReport', async (arg) => {
      const dir = await run(arg, 'Report of which run?');
      if (dir) await c.openReport(dir);
    }),
    reg('mimLab.revealRunFolder', async (arg) => {
      const dir = await run(arg, 'Reveal which run folder?');
      if (dir) await c.reveal(dir);
    }),
    reg('mimLab.deleteRun', async (arg) => {
      const dir = await run(arg, 'Delete which run?', (r) => r.displayState !== 'running');
      if (dir) await c.deleteRun(dir);
    }),
    reg('mimLab.refreshRuns', () => c.tree.reload()),
  ];
}
