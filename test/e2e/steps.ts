// Shared steps of the end-to-end scenarios: the context they get, run folders on disk, trainer processes,
// starting a run from the palette, and what a healthy run panel shows.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { CodeServer } from './code-server';
import { listProcesses } from './processes';
import { waitInFrame, type Workbench } from './workbench';

export interface Ctx {
  wb: Workbench;
  page: Page;
  server: CodeServer;
  out: string;
  /** Values passed between scenarios (the run scenario 2 trains is probed in 4). */
  state: Record<string, string>;
  /** Prints a step with the time since the scenario started. */
  log(msg: string): void;
  /** Waits for a browser console message (from any frame) matching `re`. */
  waitConsole(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Collects another page's console like the main page's (unexpected errors fail the scenario). */
  watch(page: Page): void;
  /** Registers a process group to kill if the suite dies. */
  recordGroup(pid: number | undefined): void;
}

export interface Scenario {
  name: string;
  /** Stop the suite when this one fails (nothing after it can work). */
  fatal?: boolean;
  /** Console errors this scenario provokes on purpose (e.g. an error notification is logged by the workbench). */
  expectedErrors?: RegExp[];
  run(ctx: Ctx): Promise<void>;
}

/** What the web workbench itself logs as errors while a window unloads (reload, closed tab): not ours. */
export const UNLOAD_NOISE = [
  /\[lifecycle\] Long running operations during shutdown are unsupported in the web/,
  /IndexedDB database 'vscode-web-db' is closed/,
  // Closing a window while the workbench still reads its user-data files cancels those reads.
  /Unable to read file '[^']*\/data\/User\/[^']*' \(Canceled: Canceled\)/,
  /ERR color: #f33 Canceled: Canceled\s+at /,
];

/** Fixture runs (test/fixtures/runs) copied into the workspace. */
export const CAE_DONE = '20261120-100000-cae-tiny';
export const MAE_DONE = '20261120-110000-mae-tiny';

export function runIds(ctx: Ctx): string[] {
  return existsSync(ctx.server.runsDir) ? readdirSync(ctx.server.runsDir).sort() : [];
}

export function readStatus(ctx: Ctx, runId: string): { state: string; step: number; checkpointStep: number } {
  return JSON.parse(readFileSync(join(ctx.server.runsDir, runId, 'status.json'), 'utf8'));
}

export async function until<T>(fn: () => T | undefined | null | false, what: string, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const v = fn();
      if (v) return v;
    } catch {
      // not there yet (file being written)
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function trainerProcesses(runDir: string): number[] {
  return listProcesses().filter((p) => p.cmd.includes('dist/trainer.js') && p.cmd.includes(runDir)).map((p) => p.pid);
}

/** Starts a run from the palette (preset + overrides) and returns the new run id once its folder exists. */
export async function newRun(ctx: Ctx, preset: string, overrides: string): Promise<string> {
  const before = new Set(runIds(ctx));
  await ctx.wb.runCommand('MIM Lab: New Pretraining Run');
  await ctx.wb.quickPick(preset);
  await ctx.wb.inputBox(overrides, 'New Pretraining Run (2/2)');
  return until(() => runIds(ctx).find((id) => !before.has(id)), 'a new run folder', 60_000);
}

export async function runPanel(ctx: Ctx, runId: string, timeoutMs = 30_000): Promise<Frame> {
  return ctx.wb.panelFrame('run', (b) => b.runId === runId, timeoutMs);
}

export async function points(frame: Frame): Promise<number> {
  return frame.evaluate(() => Number(document.getElementById('loss-chart')?.dataset.points ?? 0));
}

export async function expectPanelContent(frame: Frame, minPoints: number): Promise<void> {
  await waitInFrame(frame, () => Number(document.getElementById('loss-chart')?.dataset.points ?? 0) > 0 && document.getElementById('loss-chart'), 'loss chart points');
  const n = await points(frame);
  if (n < minPoints) throw new Error(`loss chart has ${n} points, expected ≥ ${minPoints}`);
  // The canvas really has pixels drawn (not just a data attribute).
  await waitInFrame(frame, () => {
    const c = document.getElementById('loss-chart') as HTMLCanvasElement | null;
    const ctx = c?.getContext('2d');
    if (!c || !ctx || c.width === 0) return false;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < d.length; i += 4 * 7) if (d[i] > 0) painted++;
    return painted > 200;
  }, 'pixels on the loss chart canvas');
}

export async function expectSamples(frame: Frame, timeoutMs = 60_000): Promise<void> {
  await waitInFrame(frame, () => document.getElementById('recon')?.dataset.step, 'a reconstruction strip', timeoutMs);
  await waitInFrame(frame, () => Number(document.getElementById('heatmaps')?.dataset.drawn ?? 0) > 0, 'attention heatmaps', timeoutMs);
}

/** Opens (or reveals) a run's panel from the palette and returns its frame once it has a snapshot. */
export async function openRunPanel(ctx: Ctx, runId: string, timeoutMs = 30_000): Promise<Frame> {
  // A notification appearing at the same moment (e.g. a probe's progress) can take focus and close the quick
  // pick before it is shown; the command is then asked again, as a user would.
  for (let attempt = 1; ; attempt++) {
    await ctx.wb.runCommand('MIM Lab: Open Run Panel');
    try {
      await ctx.wb.quickPick(runId, runId, 10_000);
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
      await ctx.wb.page.keyboard.press('Escape');
    }
  }
  return runPanel(ctx, runId, timeoutMs);
}
