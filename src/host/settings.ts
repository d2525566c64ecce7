// The extension's settings (contributed in package.json under `mimLab.*`) and the folders they point to.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RawAttentiveHead } from './attentive-head-settings';

export interface Settings {
  nodePath: string;
  /** Python for engine=torch runs ('' = MIMLAB_PYTHON, python3 on PATH, /usr/bin/python3). */
  pythonPath: string;
  backend: string;
  runsDirectory: string;
  /** Overrides `sample.every` for new runs; null keeps the preset's value. */
  sampleEvery: number | null;
  /** The attentive probe's head for probes started from the editor (checked by attentiveHeadSets). */
  attentiveHead: RawAttentiveHead;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('mimLab');
  const sampleEvery = c.get<number | null>('sampleEvery', null);
  return {
    nodePath: c.get<string>('nodePath', ''),
    pythonPath: c.get<string>('pythonPath', ''),
    backend: c.get<string>('backend', 'auto'),
    runsDirectory: c.get<string>('runsDirectory', '.mimlab/runs'),
    sampleEvery: typeof sampleEvery === 'number' && Number.isInteger(sampleEvery) && sampleEvery >= 0 ? sampleEvery : null,
    attentiveHead: { depth: c.get('attentiveProbe.depth', 1), queries: c.get('attentiveProbe.queries', 1), mlp: c.get('attentiveProbe.mlp', false) },
  };
}

/** The runs folder: absolute as given, else relative to the first workspace folder, else global storage. */
export function runsDirectory(context: vscode.ExtensionContext, settings: Settings = readSettings()): string {
  const dir = settings.runsDirectory.trim() || '.mimlab/runs';
  if (path.isAbsolute(dir)) return dir;
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? path.join(folder.uri.fsPath, dir) : path.join(context.globalStorageUri.fsPath, 'runs');
}
