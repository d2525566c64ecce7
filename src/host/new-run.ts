// "New Pretraining Run": pick a preset or a `*.mimlab.json` config file (and the engine, an item of the same list, and
// for PyTorch the processes on this machine: torchrun's --nproc),
// optionally add `key=value` overrides, validate the resolved config here (a bad config gives a clear message and
// creates no run folder).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_PRESET, PRESETS } from '../config/presets';
import { ConfigError, parseSets, resolveConfig } from '../config/resolve';
import type { Config, EngineName } from '../config/schema';
import { checkProcesses } from '../trainer/torchrun-args';

export interface NewRunChoice {
  preset?: string;
  configFile?: string;
  sets: string[];
  config: Config;
  /** Set when the user picked the torch engine (otherwise the preset's or file's engine, tfjs by default). */
  engine?: EngineName;
  /** Torch engine: processes on this machine (DDP under torchrun); absent or 1: one process. */
  nproc?: number;
}

interface SourcePick extends vscode.QuickPickItem {
  preset?: string;
  file?: vscode.Uri;
  browse?: boolean;
  switchEngine?: boolean;
  setProcesses?: boolean;
}

const ENGINE_LABELS: Record<EngineName, string> = { tfjs: 'TF.js (built in)', torch: 'PyTorch (Python, mimLab.pythonPath)' };

/** Splits the overrides box: whitespace-separated `key=value` (values with spaces are not needed by any field). */
export function splitOverrides(text: string): string[] {
  return text.split(/\s+/).map((s) => s.trim()).filter(Boolean);
}

/** Asks how many processes to start on this machine (GPUs, or CPU processes with gloo); undefined keeps the value. */
async function askProcesses(current: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'MIM Lab: processes on this machine (PyTorch DDP under torchrun)',
    prompt: 'One per GPU, or CPU processes with gloo. train.batchSize stays the global batch and must divide by it.',
    value: String(current), ignoreFocusOut: true,
    validateInput: (v) => (/^\s*[1-9]\d*\s*$/.test(v) && Number(v) <= 1024 ? null : 'a whole number of processes, 1 or more'),
  });
  return text === undefined ? undefined : Number(text);
}

async function pickSource(): Promise<{ preset?: string; file?: vscode.Uri; engine: EngineName; nproc: number } | undefined> {
  const files = await vscode.workspace.findFiles('**/*.mimlab.json', '**/node_modules/**', 50);
  let engine: EngineName = 'tfjs';
  let nproc = 1;
  for (;;) {
    const other: EngineName = engine === 'tfjs' ? 'torch' : 'tfjs';
    const items: SourcePick[] = Object.entries(PRESETS).map(([name, p]) => ({
      label: name, description: name === DEFAULT_PRESET ? 'default' : undefined, detail: p.description, preset: name,
    }));
    items.push({ label: 'Engine', kind: vscode.QuickPickItemKind.Separator });
    items.push({ label: `$(arrow-swap) Engine: ${ENGINE_LABELS[engine]}`, description: `switch to ${ENGINE_LABELS[other]}`, switchEngine: true });
    if (engine === 'torch') items.push({ label: `$(server-process) Processes on this machine: ${nproc}`, description: 'DDP under torchrun', setProcesses: true });
    if (files.length) items.push({ label: 'Config files', kind: vscode.QuickPickItemKind.Separator });
    for (const f of files) items.push({ label: `$(file) ${path.basename(f.fsPath)}`, description: vscode.workspace.asRelativePath(f), file: f });
    items.push({ label: '$(folder-opened) Browse for a config file…', browse: true });
    const pick = await vscode.window.showQuickPick(items, {
      title: `MIM Lab: New Pretraining Run (1/2) · engine ${engine}`, placeHolder: 'Preset or config file', matchOnDetail: true, ignoreFocusOut: true,
    });
    if (!pick) return undefined;
    if (pick.switchEngine) {
      engine = other;
      continue;
    }
    if (pick.setProcesses) {
      nproc = (await askProcesses(nproc)) ?? nproc;
      continue;
    }
    if (pick.browse) {
      const uri = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'MIM Lab config': ['json'] }, openLabel: 'Use Config' });
      return uri?.[0] ? { file: uri[0], engine, nproc } : undefined;
    }
    return pick.file ? { file: pick.file, engine, nproc } : { preset: pick.preset, engine, nproc };
  }
}

/** Reads and parses a config file, turning JSON syntax errors into ConfigErrors that name the file. */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path.basename(file)}: cannot read (${(err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path.basename(file)}: not valid JSON (${(err as Error).message})`);
  }
}

export function resolveChoice(preset: string | undefined, configFile: string | undefined, sets: string[]): Config {
  return resolveConfig({
    preset,
    file: configFile ? readConfigFile(configFile) : undefined,
    fileName: configFile ? path.basename(configFile) : undefined,
    sets,
  });
}

/** Runs the pick → overrides → validate flow. Shows the error and returns undefined when the config is invalid. */
export async function chooseNewRun(fileArg?: vscode.Uri): Promise<NewRunChoice | undefined> {
  const source: { preset?: string; file?: vscode.Uri; engine?: EngineName; nproc?: number } | undefined = fileArg ? { file: fileArg } : await pickSource();
  if (!source) return undefined;
  const configFile = source.file?.fsPath;
  if (source.file) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === configFile);
    if (doc?.isDirty) await doc.save();
  }
  const label = configFile ? path.basename(configFile) : source.preset ?? DEFAULT_PRESET;
  const text = await vscode.window.showInputBox({
    title: `MIM Lab: New Pretraining Run (2/2): ${label}`,
    prompt: 'Optional overrides, space-separated key=value (e.g. train.steps=200 loss.alignWeight=0). Press Enter to start.',
    placeHolder: 'train.steps=200 train.lr=5e-4',
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        parseSets(splitOverrides(v));
        return null;
      } catch (err) {
        return err instanceof ConfigError ? err.message : String(err);
      }
    },
  });
  if (text === undefined) return undefined;
  const sets = splitOverrides(text);
  const engine = source.engine === 'torch' ? 'torch' : undefined; // tfjs leaves the file's or preset's choice
  try {
    const nproc = engine === 'torch' && source.nproc && source.nproc > 1 ? source.nproc : undefined;
    const config = resolveChoice(source.preset, configFile, engine ? [`engine=${engine}`, ...sets] : sets);
    if (nproc) checkProcesses(config, { nproc, nnodes: 1, nodeRank: 0 }); // the global batch must split over them
    return { preset: source.preset, configFile, sets, engine, nproc, config };
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : (err as Error).message;
    const action = configFile ? 'Open Config' : undefined;
    void vscode.window.showErrorMessage(`MIM Lab: cannot start the run, the config is invalid: ${message}`, ...(action ? [action] : []))
      .then((picked) => (picked && configFile ? vscode.window.showTextDocument(vscode.Uri.file(configFile)) : undefined));
    return undefined;
  }
}
