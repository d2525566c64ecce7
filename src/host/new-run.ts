// "New Pretraining Run": pick a preset or a `*.mimlab.json` config file, optionally add `key=value`
// overrides, validate the resolved config here (a bad config gives a clear message and creates no run folder).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_PRESET, PRESETS } from '../config/presets';
import { ConfigError, resolveConfig } from '../config/resolve';
import type { Config } from '../config/schema';
import { configFileProblems, overrideProblems, splitOverrides } from './config-problems';
import { quickInputs } from './quick-input-gate';

export interface NewRunChoice {
  preset?: string;
  configFile?: string;
  sets: string[];
  config: Config;
}

interface SourcePick extends vscode.QuickPickItem {
  preset?: string;
  file?: vscode.Uri;
  browse?: boolean;
}

async function pickSource(): Promise<{ preset?: string; file?: vscode.Uri } | undefined> {
  const files = await vscode.workspace.findFiles('**/*.mimlab.json', '**/node_modules/**', 50);
  const items: SourcePick[] = Object.entries(PRESETS).map(([name, p]) => ({
    label: name, description: name === DEFAULT_PRESET ? 'default' : undefined, detail: p.description, preset: name,
  }));
  if (files.length) items.push({ label: 'Config files', kind: vscode.QuickPickItemKind.Separator });
  for (const f of files) items.push({ label: `$(file) ${path.basename(f.fsPath)}`, description: vscode.workspace.asRelativePath(f), file: f });
  items.push({ label: '$(folder-opened) Browse for a config file…', browse: true });
  const pick = await quickInputs.show(() => vscode.window.showQuickPick(items, { title: 'MIM Lab: New Pretraining Run (1/2)', placeHolder: 'Preset or config file', matchOnDetail: true, ignoreFocusOut: true }));
  if (!pick) return undefined;
  if (pick.browse) {
    const uri = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'MIM Lab config': ['json'] }, openLabel: 'Use Config' });
    return uri?.[0] ? { file: uri[0] } : undefined;
  }
  return pick.file ? { file: pick.file } : { preset: pick.preset };
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
  const source = fileArg ? { file: fileArg } : await pickSource();
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
  let value = '';
  for (;;) {
    const text = await quickInputs.show(() => vscode.window.showInputBox({
      title: `MIM Lab: New Pretraining Run (2/2): ${label}`,
      value,
      // VS Code adds "(Press 'Enter' to confirm or 'Escape' to cancel)" to the prompt itself.
      prompt: `Optional overrides, space-separated key=value, e.g. train.steps=200 loss.alignWeight=0; empty starts ${configFile ? 'the file' : 'the preset'} as it is`,
      placeHolder: 'no overrides',
      ignoreFocusOut: true,
      validateInput: (v) => overrideProblems(v, base).map((p) => p.message).join('; ') || null,
    }));
    if (text === undefined) return undefined;
    const sets = splitOverrides(text);
    try {
      return { preset: source.preset, configFile, sets, config: resolveChoice(source.preset, configFile, sets) };
    } catch (err) {
      // The file changed after it was checked: ask again with the text kept (the box shows the problem).
      if (!(err instanceof ConfigError)) throw err;
      value = text;
    }
  }
}
