// Finds processes the suite started and left behind (code-server, Chromium, trainers), by reading /proc.
import { readFileSync, readdirSync } from 'node:fs';

export interface Proc { pid: number; cmd: string }

export function listProcesses(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cmd) out.push({ pid: Number(name), cmd });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

export function processSnapshot(): Set<number> {
  return new Set(listProcesses().map((p) => p.pid));
}

/** New processes that belong to the suite: anything mentioning its temp root, a trainer, code-server or Chromium. */
export async function leftoverProcesses(before: Set<number>, root: string, graceMs = 3000): Promise<Proc[]> {
  const match = (p: Proc): boolean => !before.has(p.pid) && p.pid !== process.pid
    && (p.cmd.includes(root) || /dist\/trainer\.js|code-server|chromium/.test(p.cmd));
  const until = Date.now() + graceMs;
  let left = listProcesses().filter(match);
  while (left.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    left = listProcesses().filter(match);
  }
  return left;
}
