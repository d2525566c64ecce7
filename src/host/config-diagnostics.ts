// Errors (not the JSON schema's warnings) for `*.mimlab.json` files as they are edited: every unknown key and
// wrong value with the CLI's rules and words, so Problems lists what starting the run would refuse.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { configFileProblems, locateKey } from './config-problems';

const CONFIG_FILE_SUFFIX = '.mimlab.json';

function diagnose(doc: vscode.TextDocument): vscode.Diagnostic[] {
  const text = doc.getText();
  return configFileProblems(text, path.basename(doc.fileName)).map((p) => {
    const at = p.key ? locateKey(text, p.key) : null;
    const range = at ? new vscode.Range(doc.positionAt(at.start), doc.positionAt(at.end)) : doc.lineAt(0).range;
    const d = new vscode.Diagnostic(range, p.message, vscode.DiagnosticSeverity.Error);
    d.source = 'MIM Lab';
    return d;
  });
}

export function registerConfigDiagnostics(): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('mimLab.config');
  const update = (doc: vscode.TextDocument): void => {
    if (doc.uri.scheme === 'file' && doc.fileName.endsWith(CONFIG_FILE_SUFFIX)) collection.set(doc.uri, diagnose(doc));
  };
  vscode.workspace.textDocuments.forEach(update);
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(update),
    vscode.workspace.onDidChangeTextDocument((e) => update(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => collection.delete(doc.uri)),
  );
}
