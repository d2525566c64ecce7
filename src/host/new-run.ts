// "New Pretraining Run": pick a preset or a `*.mimlab.json` config file (and the engine, an item of the same list, and
// for PyTorch the processes on this machine: torchrun's --nproc),
// optionally add `key=value` overrides, validate the resolved config here (a bad config gives a clear message and
// creates no run folder).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_PRESET, PRESETS } from '../config/presets';
import { ConfigError, resolveConfig } from '../config/resolve';
import type { Config, EngineName } from '../config/schema';
import { checkProcesses } from '../jobs/torchrun-args';
import { configFileProblems, overrideProblems, splitOverrides } from './config-problems';
import { quickInputs } from './quick-input-gate';

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

/** Asks how many processes to start on this machine (GPUs, or CPU processes with gloo); undefined keeps the value. */
async function askProcesses(current: number): Promise<number | undefined> {
  const text = await quickInputs.show(() => vscode.window.showInputBox({
    title: 'MIM Lab: processes on this machine (PyTorch DDP under torchrun)',
    prompt: 'One per GPU, or CPU processes with gloo. train.batchSize stays the global batch and must divide by it.',
    value: String(current), ignoreFocusOut: true,
    validateInput: (v) => (/^\s*[1-9]\d*\s*$/.test(v) && Number(v) <= 1024 ? null : 'a whole number of processes, 1 or more'),
  }));
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
    const pick = await quickInputs.show(() => vscode.window.showQuickPick(items, {
      title: `MIM Lab: New Pretraining Run (1/2) · engine ${engine}`, placeHolder: 'Preset or config file', matchOnDetail: true, ignoreFocusOut: true,
    }));
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

/** Refuses a config file with problems, naming all of them (Problems lists them too). */
async function fileIsValid(configFile: string): Promise<unknown | undefined> {
  const name = path.basename(configFile);
  let problems;
  try {
    problems = configFileProblems(readFileSync(configFile, 'utf8'), name);
  } catch (err) {
    problems = [{ message: `${name}: cannot read (${(err as Error).message})` }];
  }
  if (!problems.length) return readConfigFile(configFile);
  const list = problems.map((p) => p.message).join('; ');
  void vscode.window.showErrorMessage(`MIM Lab: cannot start the run, ${name} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${list}`, 'Open Config', 'Show Problems')
    .then((picked) => {
      if (picked === 'Open Config') void vscode.window.showTextDocument(vscode.Uri.file(configFile));
      if (picked === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
  return undefined;
}

/**
 * Runs the pick → overrides → validate flow. The overrides box checks every `key=value` as it is typed with the
 * CLI's field rules, so Enter only accepts a config that resolves; the text stays in the box while it is wrong.
 */
export async function chooseNewRun(fileArg?: vscode.Uri): Promise<NewRunChoice | undefined> {
  const source: { preset?: string; file?: vscode.Uri; engine?: EngineName; nproc?: number } | undefined = fileArg ? { file: fileArg } : await pickSource();
  if (!source) return undefined;
  const configFile = source.file?.fsPath;
  if (source.file) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === configFile);
    if (doc?.isDirty) await doc.save();
  }
  const file = configFile ? await fileIsValid(configFile) : undefined;
  if (configFile && file === undefined) return undefined;
  const base = { preset: source.preset, file, fileName: configFile ? path.basename(configFile) : undefined };
  const label = configFile ? path.basename(configFile) : source.preset ?? DEFAULT_PRESET;
  const engine = source.engine === 'torch' ? 'torch' : undefined; // tfjs leaves the file's or preset's choice
  const withEngine = (sets: string[]): string[] => (engine ? [`engine=${engine}`, ...sets] : sets);
  const nproc = engine === 'torch' && source.nproc && source.nproc > 1 ? source.nproc : undefined;
  let value = '';
  for (;;) {
    const text = await quickInputs.show(() => vscode.window.showInputBox({
      title: `MIM Lab: New Pretraining Run (2/2): ${label}`,
      value,
      // VS Code adds "(Press 'Enter' to confirm or 'Escape' to cancel)" to the prompt itself.
      prompt: `Optional overrides, space-separated key=value, e.g. train.steps=200 loss.alignWeight=0; empty starts ${configFile ? 'the file' : 'the preset'} as it is`,
      placeHolder: 'no overrides',
      ignoreFocusOut: true,
      validateInput: (v) => overrideProblems(engine ? `engine=${engine} ${v}` : v, base).map((p) => p.message).join('; ') || null,
    }));
    if (text === undefined) return undefined;
    const sets = splitOverrides(text);
    try {
      const config = resolveChoice(source.preset, configFile, withEngine(sets));
      if (nproc) checkProcesses(config, { nproc, nnodes: 1, nodeRank: 0 }); // the global batch must split over them
      return { preset: source.preset, configFile, sets, engine, nproc, config };
    } catch (err) {
      // The file changed after it was checked, or the batch does not split over the processes: ask again, text kept.
      if (!(err instanceof ConfigError)) throw err;
      if (nproc) void vscode.window.showErrorMessage(`MIM Lab: ${err.message}`);
      value = text;
    }
  }
}
