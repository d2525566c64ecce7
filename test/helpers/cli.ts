// Runs the built CLI (dist/cli.js) as a user would; builds it first if needed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

export function ensureBuilt(): void {
  if (existsSync(CLI)) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}

export function cli(args: string[], cwd = ROOT): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, MIMLAB_LOG_EVERY: '1000' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function cliAsync(args: string[], cwd = ROOT): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}
