// Starts code-server (real VS Code in a browser) on 127.0.0.1 with a throwaway HOME, profile and extensions
// folder holding a link to the built extension, and stops it by process group. See shared/notes/e2e-in-vscode.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface CodeServerOptions {
  /** code-server's entry (…/node_modules/code-server/out/node/entry.js). */
  entry: string;
  /** Throwaway root: home/, data/, extensions/, workspace/ go here. */
  root: string;
  /** The built extension folder (the repo root), linked into the extensions folder. */
  extensionDir: string;
  extensionId: string;
  extensionVersion: string;
  /** Fixture run folders copied into the workspace's .mimlab/runs. */
  fixtureRuns: string;
  userSettings?: Record<string, unknown>;
  /** Turn workspace trust on (the folder then opens in restricted mode unless trusted). */
  trust?: boolean;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export class CodeServer {
  private proc: ChildProcess | null = null;
  readonly home: string;
  readonly dataDir: string;
  readonly extensionsDir: string;
  readonly workspace: string;
  readonly runsDir: string;
  url = '';
  private output = '';

  constructor(readonly options: CodeServerOptions) {
    const o = options;
    this.home = join(o.root, 'home');
    this.dataDir = join(o.root, 'data');
    this.extensionsDir = join(o.root, 'extensions');
    this.workspace = join(o.root, 'workspace');
    this.runsDir = join(this.workspace, '.mimlab', 'runs');
  }

  /** Creates the profile and workspace. */
  prepare(): void {
    for (const d of [this.home, this.extensionsDir, join(this.dataDir, 'User'), this.runsDir]) mkdirSync(d, { recursive: true });
    symlinkSync(this.options.extensionDir, join(this.extensionsDir, `${this.options.extensionId}-${this.options.extensionVersion}`), 'dir');
    const settings = {
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      'security.workspace.trust.enabled': Boolean(this.options.trust),
      'security.workspace.trust.startupPrompt': 'always',
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'extensions.ignoreRecommendations': true,
      'workbench.enableExperiments': false,
      'git.enabled': false,
      'window.restoreWindows': 'all',
      'files.hotExit': 'off',
      // Tooltips of tree rows would cover the rows the tests click next.
      'workbench.hover.delay': 60_000,
      'editor.hover.delay': 60_000,
      ...this.options.userSettings,
    };
    writeFileSync(join(this.dataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    writeFileSync(join(this.options.root, 'config.yaml'), 'auth: none\ncert: false\n');
    cpSync(this.options.fixtureRuns, this.runsDir, { recursive: true });
  }

  async start(timeoutMs = 60_000): Promise<string> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH, HOME: this.home, XDG_CONFIG_HOME: join(this.home, '.config'), XDG_DATA_HOME: join(this.home, '.local/share'),
      XDG_CACHE_HOME: join(this.home, '.cache'), TMPDIR: process.env.TMPDIR ?? '/tmp', LANG: 'C.UTF-8', SHELL: '/bin/sh',
    };
    this.proc = spawn(process.execPath, [
      this.options.entry, '--config', join(this.options.root, 'config.yaml'), '--user-data-dir', this.dataDir, '--extensions-dir', this.extensionsDir,
      '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
      ...(this.options.trust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override', this.workspace,
    ], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = `HTTP server listening on http://127.0.0.1:${port}/`;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not start within ${timeoutMs} ms:\n${this.output.slice(-3000)}`)), timeoutMs);
      const onData = (b: Buffer): void => {
        this.output += b.toString();
        if (this.output.includes(ready)) {
          clearTimeout(timer);
          resolve();
        }
      };
      this.proc?.stdout?.on('data', onData);
      this.proc?.stderr?.on('data', onData);
      this.proc?.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited with ${code}:\n${this.output.slice(-3000)}`));
      });
    });
    this.url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(this.workspace)}`;
    return this.url;
  }

  get log(): string {
    return this.output;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Stops the whole process group (code-server, its extension host, and anything they started). */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p?.pid || p.exitCode !== null) return;
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    killGroup(p.pid, 'SIGTERM');
    const t = setTimeout(() => killGroup(p.pid as number, 'SIGKILL'), 5_000);
    await Promise.race([gone, new Promise((r) => setTimeout(r, 8_000))]);
    clearTimeout(t);
    killGroup(p.pid, 'SIGKILL');
  }

  /** Synchronous last-resort cleanup for process exit handlers. */
  killNow(): void {
    if (this.proc?.pid) killGroup(this.proc.pid, 'SIGKILL');
  }
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // group already gone
  }
}
