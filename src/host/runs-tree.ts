// The Runs tree view: every run folder under the runs directory, refreshed from disk (file watcher + a poll
// while something runs), so CLI runs and runs from earlier windows show up like the extension's own.
import * as vscode from 'vscode';
import { OPEN_ROW_COMMAND } from './row-click';
import { readRunSummaries, type RunSummary } from './run-reader';
import { childrenOf, groupRuns, present, type TreeNode } from './tree-model';

/** Screen-reader labels that say which run a child row belongs to ("Probes of <run>, 2"). */
function accessibleLabel(node: TreeNode, label: string, description: string | undefined): string {
  const desc = description ? `, ${description}` : '';
  switch (node.kind) {
    case 'section': return `${label} of ${node.run.runId}${desc}`;
    case 'checkpoint': return `checkpoint ${label} of ${node.run.runId}`;
    case 'probe': return `${label} probe ${node.probe.id} of ${node.run.runId}${desc}`;
    default: return `${label}${desc}`;
  }
}

export interface RunsTreeDeps {
  runsDir: () => string;
  isLiveRun: (runDir: string) => boolean;
  isLiveProbe: (runDir: string, probeId: string) => boolean;
}

export class RunsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private runs: RunSummary[] = [];
  private structureKey = '';
  private runNodes = new Map<string, TreeNode>();
  private runKeys = new Map<string, string>();
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

  /**
   * Re-reads the runs folder. When only run details changed (step, losses, probes), just those rows are
   * refreshed, keeping node objects stable: a full refresh every second or two while a run trains would make
   * VS Code drop its element handles, and a context-menu command could then arrive without its run.
   */
  reload(): void {
    const runs = readRunSummaries(this.deps.runsDir(), this.deps.isLiveRun, this.deps.isLiveProbe);
    const groups = groupRuns(runs);
    const structure = JSON.stringify(groups.map((g) => (g.kind === 'group' ? [g.label, g.runs.map((r) => r.runDir)] : [])));
    if (structure !== this.structureKey) {
      this.structureKey = structure;
      this.runs = runs;
      this.roots = groups;
      this.runNodes = new Map(runs.map((r) => [r.runDir, { kind: 'run', id: `run:${r.runDir}`, run: r }]));
      this.runKeys = new Map(runs.map((r) => [r.runDir, JSON.stringify(r)]));
      this.parents.clear();
      this.changed.fire(undefined);
    } else {
      this.runs = runs;
      const changed: TreeNode[] = [];
      for (const r of runs) {
        const key = JSON.stringify(r);
        const node = this.runNodes.get(r.runDir);
        if (!node || node.kind !== 'run' || this.runKeys.get(r.runDir) === key) continue;
        this.runKeys.set(r.runDir, key);
        node.run = r;
        changed.push(node);
      }
      if (changed.length) this.changed.fire(changed);
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
      // No arguments: see row-click.ts for why.
      item.command = { command: OPEN_ROW_COMMAND, title: 'Open Run Panel' };
    }
    item.accessibilityInformation = { label: accessibleLabel(node, p.label, p.description) };
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const kids = !node ? this.roots
      : node.kind === 'group' ? node.runs.map((r) => this.runNodes.get(r.runDir)).filter((n): n is TreeNode => n !== undefined)
        : childrenOf(node);
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
