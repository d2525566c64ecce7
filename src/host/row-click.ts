// A click on a run or probe row opens its run panel, even while the tree refreshes.
// A TreeItem command with arguments is kept in the extension host under an id that lives only as long as that
// tree item: a refresh replaces it, and a click the renderer sends with the old id is lost ("Actual command
// not found"). So rows carry a command without arguments, and it reads which row was clicked from the view's
// selection, which the workbench sends before the command and which names rows by their stable ids.
import * as vscode from 'vscode';
import type { TreeNode } from './tree-model';

export const OPEN_ROW_COMMAND = 'mimLab.openClickedRow';

/** While a refresh is under way the view may not know its rows yet: wait this long for the selection to resolve. */
const RESOLVE_MS = 3000;

async function clickedNode(view: vscode.TreeView<TreeNode>): Promise<TreeNode | undefined> {
  const until = Date.now() + RESOLVE_MS;
  for (;;) {
    const [node] = view.selection;
    if (node || Date.now() > until) return node;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function registerRowClick(view: vscode.TreeView<TreeNode>, open: (runDir: string) => void, log: (line: string) => void): vscode.Disposable {
  return vscode.commands.registerCommand(OPEN_ROW_COMMAND, async () => {
    const node = await clickedNode(view);
    if (node && (node.kind === 'run' || node.kind === 'probe')) open(node.run.runDir);
    else log(`row click: no run row selected (${node?.kind ?? 'none'})`);
  });
}
