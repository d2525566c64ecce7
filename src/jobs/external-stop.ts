// Stopping a run this window did not start (CLI, another window): SIGTERM to the pid in status.json
// (the trainer checkpoints and marks itself stopped), then SIGKILL after a grace period.
import { readFileSync } from 'node:fs';
import { isPidAlive } from '../util/pid';

/** On Linux, checks that the pid still runs a MIM Lab trainer/CLI (pids get reused). Elsewhere trusts the pid. */
export function looksLikeTrainer(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /trainer|mim-lab|cli\.js/.test(cmd);
  } catch {
    return process.platform !== 'linux';
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isPidAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return !isPidAlive(pid);
}

/** Returns how the process ended, or null when there was nothing to stop. */
export async function stopExternal(pid: number, graceMs = 20_000): Promise<'SIGTERM' | 'SIGKILL' | null> {
  if (!isPidAlive(pid) || !looksLikeTrainer(pid)) return null;
  process.kill(pid, 'SIGTERM');
  if (await waitGone(pid, graceMs)) return 'SIGTERM';
  process.kill(pid, 'SIGKILL');
  await waitGone(pid, 2_000);
  return 'SIGKILL';
}
