// The Runs tree view: every run folder under the runs directory, refreshed from disk (file watcher + a poll
// while something runs), so CLI runs and runs from earlier windows show up like the extension's own.
import * as vscode from 'vscode';
import { readRunSummaries, type RunSummary } from './run-reader';
import { childrenOf, groupRuns, present, type TreeNode } from './tree-model';

export interface RunsTreeDeps {
  runsDir: () => string;
  isLiveRun: (runDir: string) => boolean;
  isLiveProbe: (runDir: string, probeId: string) => boolean;
}

export class RunsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private runs: RunSummary[] = [];
  private lastKey = '';
  private roots: TreeNode[] = [];
  private readonly parents = new Map<string, TreeNode>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private watcher: vscode.FileSystemWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;

  constructor(private readonly deps: RunsTreeDeps) {
    this.watch();
    this.reload();
  }

  /** Re-reads the runs folder now. */
  reload(): void {
    const runs = readRunSummaries(this.deps.runsDir(), this.deps.isLiveRun, this.deps.isLiveProbe);
    const key = JSON.stringify(runs);
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.runs = runs;
      this.roots = groupRuns(runs);
      this.parents.clear();
      void vscode.commands.executeCommand('setContext', 'mimLab.hasRuns', runs.length > 0);
      this.changed.fire(undefined);
    }
    this.schedulePoll();
  }

  /** Coalesces bursts of file events (a training step touches several files). */
  refreshSoon(delayMs = 300): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.reload(), delayMs);
  }

  /** Watches the (possibly changed) runs folder. */
  watch(): void {
    this.watcher?.dispose();
    const base = vscode.Uri.file(this.deps.runsDir());
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(base, '**/*.json'));
    const onFs = (): void => this.refreshSoon();
    this.watcher.onDidCreate(onFs, undefined, this.disposables);
    this.watcher.onDidChange(onFs, undefined, this.disposables);
    this.watcher.onDidDelete(onFs, undefined, this.disposables);
  }

  private schedulePoll(): void {
    if (this.poll) clearTimeout(this.poll);
    const busy = this.runs.some((r) => r.displayState === 'running' || r.probes.some((p) => p.state === 'running'));
    this.poll = setTimeout(() => this.reload(), busy ? 1500 : 10_000);
  }

  summaries(): readonly RunSummary[] {
    return this.runs;
  }

  find(runDir: string): RunSummary | undefined {
    return this.runs.find((r) => r.runDir === runDir);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const p = present(node);
    const state = p.collapsible === 'none' ? vscode.TreeItemCollapsibleState.None
      : p.collapsible === 'expanded' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(p.label, state);
    item.id = node.id;
    item.description = p.description;
    item.tooltip = p.tooltip;
    item.contextValue = p.contextValue;
    item.iconPath = new vscode.ThemeIcon(p.icon, p.iconColor ? new vscode.ThemeColor(p.iconColor) : undefined);
    if (node.kind === 'run' || node.kind === 'probe') {
      item.command = { command: 'mimLab.openRunPanel', title: 'Open Run Panel', arguments: [node] };
    }
    if (node.kind === 'run') item.accessibilityInformation = { label: `${p.label}, ${p.description ?? ''}` };
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const kids = node ? childrenOf(node) : this.roots;
    for (const k of kids) if (node) this.parents.set(k.id, node);
    return kids;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return this.parents.get(node.id);
  }

  dispose(): void {
    if (this.debounce) clearTimeout(this.debounce);
    if (this.poll) clearTimeout(this.poll);
    this.watcher?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
