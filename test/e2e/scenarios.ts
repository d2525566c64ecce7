// The seven end-to-end scenarios of issue 7, run in order in one code-server window. Scenario 2 creates the
// run that 4 probes; each waits on conditions (tree labels, data attributes the panels set, files on disk).
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { CodeServer } from './code-server';
import { listProcesses } from './processes';
import { Workbench, waitInFrame } from './workbench';

export interface Ctx {
  wb: Workbench;
  page: Page;
  server: CodeServer;
  out: string;
  /** Values passed between scenarios (the run scenario 2 trains is probed in 4). */
  state: Record<string, string>;
  /** Prints a step with the time since the scenario started. */
  log(msg: string): void;
}
export interface Scenario {
  name: string;
  /** Stop the suite when this one fails (nothing after it can work). */
  fatal?: boolean;
  /** Console errors this scenario provokes on purpose (e.g. an error notification is logged by the workbench). */
  expectedErrors?: RegExp[];
  run(ctx: Ctx): Promise<void>;
}

const CAE_DONE = '20261120-100000-cae-tiny';
const MAE_DONE = '20261120-110000-mae-tiny';

function runIds(ctx: Ctx): string[] {
  return existsSync(ctx.server.runsDir) ? readdirSync(ctx.server.runsDir).sort() : [];
}

function readStatus(ctx: Ctx, runId: string): { state: string; step: number; checkpointStep: number } {
  return JSON.parse(readFileSync(join(ctx.server.runsDir, runId, 'status.json'), 'utf8'));
}

async function until<T>(fn: () => T | undefined | null | false, what: string, timeoutMs = 60_000): Promise<T> {
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

function trainerProcesses(runDir: string): number[] {
  return listProcesses().filter((p) => p.cmd.includes('dist/trainer.js') && p.cmd.includes(runDir)).map((p) => p.pid);
}

/** Starts a run from the palette (preset + overrides) and returns the new run id once its folder exists. */
async function newRun(ctx: Ctx, preset: string, overrides: string): Promise<string> {
  const before = new Set(runIds(ctx));
  await ctx.wb.runCommand('MIM Lab: New Pretraining Run');
  await ctx.wb.quickPick(preset);
  await ctx.wb.inputBox(overrides, 'New Pretraining Run (2/2)');
  return until(() => runIds(ctx).find((id) => !before.has(id)), 'a new run folder', 60_000);
}

async function runPanel(ctx: Ctx, runId: string, timeoutMs = 30_000): Promise<Frame> {
  return ctx.wb.panelFrame('run', (b) => b.runId === runId, timeoutMs);
}

async function points(frame: Frame): Promise<number> {
  return frame.evaluate(() => Number(document.getElementById('loss-chart')?.dataset.points ?? 0));
}

async function expectPanelContent(frame: Frame, minPoints: number): Promise<void> {
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

async function expectSamples(frame: Frame, timeoutMs = 60_000): Promise<void> {
  await waitInFrame(frame, () => document.getElementById('recon')?.dataset.step, 'a reconstruction strip', timeoutMs);
  await waitInFrame(frame, () => Number(document.getElementById('heatmaps')?.dataset.drawn ?? 0) > 0, 'attention heatmaps', timeoutMs);
}

export const SCENARIOS: Scenario[] = [
  {
    name: '1 activation and fixture runs',
    fatal: true,
    async run(ctx) {
      const { wb } = ctx;
      await wb.openRunsView();
      await wb.waitRow(CAE_DONE, /completed · step 30\/30/);
      await wb.waitRow(MAE_DONE, /completed/);
      await wb.waitRow('20261121-090000-cae-tiny', /stopped · step 20\/30/);
      await wb.waitRow('20261121-100000-cae-tiny', /interrupted/);
      await wb.waitRow('20261121-110000-cae-tiny', /failed/);
      await wb.waitRow('20261121-120000-cae-tiny', /diverged/);
      await wb.expand(wb.runRow(CAE_DONE));
      await wb.page.locator(`.monaco-list-row[aria-label^="Probes of ${CAE_DONE}"]`).waitFor();
      await wb.runRow(CAE_DONE).click();
      const frame = await runPanel(ctx, CAE_DONE);
      await expectPanelContent(frame, 30);
      await expectSamples(frame);
      await waitInFrame(frame, () => document.querySelector('#probe-table tr[data-probe-kind="attentive"][data-top1]'), 'fixture probe row');
      await waitInFrame(frame, () => Number(document.getElementById('probe-attention')?.dataset.drawn ?? 0) === 4, 'the attentive probe attention maps');
      await frame.locator('#cell-probes').screenshot({ path: join(ctx.out, '1-probe-cell.png') });
      // Open Report: the CLI writes report.html, shown in a webview under a no-network CSP.
      await wb.contextMenu(wb.runRow(CAE_DONE), 'Open Report');
      const report = await wb.frameWhere((d) => Boolean(d.getElementById('report-data')) && d.readyState === 'complete', 'the report webview');
      await waitInFrame(report, () => document.querySelectorAll('canvas').length > 0, 'the report\'s charts');
      await ctx.page.screenshot({ path: join(ctx.out, '1-report.png') });
    },
  },
  {
    name: '2 new run from the palette trains live and completes',
    async run(ctx) {
      const { wb } = ctx;
      const runId = await newRun(ctx, 'cae-tiny', 'train.steps=400 sample.every=50 train.checkpointEvery=100');
      ctx.state.trained = runId;
      ctx.log(`run folder ${runId}`);
      await wb.waitRow(runId, /running/, 30_000);
      ctx.log('tree shows it running');
      const frame = await runPanel(ctx, runId);
      const p1 = await waitInFrame(frame, () => Number(document.getElementById('loss-chart')?.dataset.points ?? 0), 'first points');
      ctx.log(`panel ready with ${p1} points`);
      await waitInFrame(frame, () => document.body.dataset.state === 'running' || document.body.dataset.state === 'completed', 'panel state');
      const grown = await (async (): Promise<number> => {
        const end = Date.now() + 60_000;
        while (Date.now() < end) {
          const n = await points(frame);
          if (n > p1) return n;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`chart stayed at ${p1} points`);
      })();
      ctx.log(`chart grew to ${grown} points`);
      await expectSamples(frame, 90_000);
      ctx.log('reconstructions and heatmaps drawn');
      await frame.locator('#cell-recon').screenshot({ path: join(ctx.out, '2-reconstructions.png') });
      await frame.locator('#cell-attention').screenshot({ path: join(ctx.out, '2-attention.png') });
      await wb.waitRow(runId, /completed · step 400\/400/, 120_000);
      await waitInFrame(frame, () => document.body.dataset.state === 'completed', 'panel shows completed', 10_000);
      await expectPanelContent(frame, 400);
    },
  },
  {
    name: '3 stop from the tree, resume from the checkpoint',
    async run(ctx) {
      const { wb, page } = ctx;
      const runId = await newRun(ctx, 'cae-tiny', 'train.steps=600 train.checkpointEvery=25 sample.every=0');
      const runDir = join(ctx.server.runsDir, runId);
      await wb.waitRow(runId, /running/, 30_000);
      await until(() => readStatus(ctx, runId).checkpointStep >= 25, 'a checkpoint', 60_000);
      await page.locator('.statusbar-item', { hasText: /MIM \d+\/600 · \d+ img\/s · ETA/ }).first().waitFor({ timeout: 10_000 });
      await wb.contextMenu(wb.runRow(runId), 'Stop Run');
      await wb.waitRow(runId, /stopped/, 40_000);
      await until(() => trainerProcesses(runDir).length === 0, 'the trainer process to exit', 10_000);
      const stopped = readStatus(ctx, runId);
      if (stopped.state !== 'stopped') throw new Error(`status.json says ${stopped.state}`);
      if (stopped.checkpointStep !== stopped.step) throw new Error(`stopped at step ${stopped.step} but the last checkpoint is ${stopped.checkpointStep}: stop must checkpoint`);
      if (stopped.step >= 600) throw new Error('the run completed before it could be stopped');
      await wb.contextMenu(wb.runRow(runId), 'Resume Run');
      await wb.waitRow(runId, /running|completed/, 30_000);
      const frame = await runPanel(ctx, runId);
      await wb.waitRow(runId, /completed · step 600\/600/, 120_000);
      // Continued from the checkpoint: steps 1..600 exactly once each (a restart from 0 would repeat them).
      const steps = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
      const bad = steps.findIndex((st, i) => st !== i + 1);
      if (steps.length !== 600 || bad >= 0) throw new Error(`metrics steps not 1..600 once each (first mismatch at row ${bad}: ${steps[bad]})`);
      await waitInFrame(frame, () => document.body.dataset.state === 'completed', 'panel shows completed', 20_000);
      await expectPanelContent(frame, 600);
      if (trainerProcesses(runDir).length) throw new Error('trainer still alive after completion');
    },
  },
  {
    name: '4 attentive probe from the context menu',
    async run(ctx) {
      const { wb } = ctx;
      const runId = ctx.state.trained ?? CAE_DONE;
      const probesDir = join(ctx.server.runsDir, runId, 'probes');
      const before = new Set(existsSync(probesDir) ? readdirSync(probesDir) : []);
      await wb.contextMenu(wb.runRow(runId), 'Run Attentive Probe');
      await wb.notification(/attentive probe of/i, 30_000);
      ctx.log('progress notification shown');
      const probeId = await until(() => (existsSync(probesDir) ? readdirSync(probesDir) : []).find((d) => !before.has(d)), 'a new probe folder', 30_000);
      await wb.runRow(runId).click();
      const frame = await runPanel(ctx, runId);
      const top1 = await waitInFrame(frame, (id: string) => document.querySelector(`#probe-table tr[data-probe-id="${id}"][data-top1]`)?.getAttribute('data-top1'), 'the new probe\'s top-1 in the panel', 120_000, probeId);
      if (!(Number(top1) >= 0 && Number(top1) <= 1)) throw new Error(`bad top-1 ${top1}`);
      const maps = await frame.evaluate(() => document.getElementById('probe-attention')?.dataset.drawn ?? '0');
      ctx.log(`${probeId}: top-1 ${top1}; probe attention maps drawn: ${maps}`);
      await frame.locator('#cell-probes').screenshot({ path: join(ctx.out, '4-probe-cell.png') });
      await wb.expand(wb.runRow(runId));
      await wb.expand(wb.page.locator(`.monaco-list-row[aria-label^="Probes of ${runId}"]`));
      await wb.page.locator(`.monaco-list-row[aria-label^="attentive probe ${probeId} of ${runId}, top-1"]`).waitFor({ timeout: 30_000 });
    },
  },
  {
    name: '5 window reload restores run panels and stops the trainer',
    async run(ctx) {
      const { wb, page } = ctx;
      await wb.closeAllEditors();
      await wb.runCommand('MIM Lab: Open Run Panel');
      await wb.quickPick(CAE_DONE);
      await expectPanelContent(await runPanel(ctx, CAE_DONE), 30);
      // A run that is still training when the window goes away: deactivate must stop it, not orphan it.
      const runId = await newRun(ctx, 'cae-tiny', 'train.steps=100000 sample.every=0');
      const runDir = join(ctx.server.runsDir, runId);
      await waitInFrame(await runPanel(ctx, runId), () => document.body.dataset.state === 'running', 'the new run training');
      ctx.log(`training ${runId}; reloading the window`);
      await wb.runCommand('Developer: Reload Window');
      await page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 30_000 });
      await until(() => trainerProcesses(runDir).length === 0, 'the trainer to exit when the extension host went away', 15_000);
      await until(() => readStatus(ctx, runId).state === 'stopped', 'status.json to say stopped', 5_000);
      ctx.log('trainer stopped by deactivate');
      await wb.waitReady();
      // The active editor was the new run's panel: restored by the serializer, filled by a fresh snapshot.
      const restored = await runPanel(ctx, runId, 45_000);
      await waitInFrame(restored, () => document.body.dataset.state === 'stopped', 'the restored panel showing the stopped run');
      await expectPanelContent(restored, 1);
      await page.locator('.tabs-container .tab', { hasText: CAE_DONE }).click();
      await expectPanelContent(await runPanel(ctx, CAE_DONE, 45_000), 30);
      ctx.state.reloaded = runId;
    },
  },
  {
    name: '6 compare two runs',
    async run(ctx) {
      const { wb } = ctx;
      await wb.closeAllEditors();
      await wb.openRunsView();
      await wb.runRow(CAE_DONE).click();
      await wb.runRow(MAE_DONE).click({ modifiers: ['Control'] });
      await wb.contextMenu(wb.runRow(MAE_DONE), 'Compare Runs');
      const frame = await wb.panelFrame('compare');
      await waitInFrame(frame, () => document.getElementById('compare-chart')?.dataset.series === '2', 'two overlaid curves');
      const rows = await frame.evaluate(() => Array.from(document.querySelectorAll('#probe-table tbody tr')).map((r) => r.textContent ?? ''));
      if (rows.length !== 2 || !rows.some((r) => /43\.8%/.test(r)) || !rows.some((r) => /28\.1%/.test(r))) throw new Error(`probe table: ${JSON.stringify(rows)}`);
    },
  },
  {
    name: '7 a config with an error is flagged and refused',
    expectedErrors: [/MIM Lab: cannot start the run, the config is invalid/],
    async run(ctx) {
      const { wb, page } = ctx;
      await wb.closeAllEditors();
      const dir = join(ctx.server.workspace, 'configs');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'bad.mimlab.json'), '{\n  "preset": "cae-tiny",\n  "train": { "steps": "many" },\n  "loss": { "alignWeigth": 1 }\n}\n');
      const before = runIds(ctx);
      await page.keyboard.press('Control+P');
      await wb.quickPick('bad.mimlab.json');
      // The JSON language service validates against the contributed schema: both mistakes are underlined…
      await page.waitForFunction(() => document.querySelectorAll('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error').length >= 2, undefined, { timeout: 30_000 });
      // …and listed in Problems with the schema's words.
      await wb.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
      await page.locator('.markers-panel .monaco-list-row', { hasText: /Incorrect type\. Expected "integer"/ }).first().waitFor({ timeout: 15_000 });
      await page.locator('.markers-panel .monaco-list-row', { hasText: /alignWeigth is not allowed/ }).first().waitFor({ timeout: 15_000 });
      await page.locator('.monaco-editor').first().click();
      await wb.runCommand('MIM Lab: Start Run from This Config File');
      await wb.inputBox('', 'New Pretraining Run (2/2)');
      const msg = await wb.notification(/cannot start the run/);
      if (!/train\.steps|alignWeigth/.test(msg)) throw new Error(`unclear message: ${msg}`);
      const after = runIds(ctx);
      if (after.length !== before.length) throw new Error(`a run folder was created: ${after.filter((a) => !before.includes(a)).join(', ')}`);
    },
  },
  {
    name: '8 a 100k-step run stays responsive',
    async run(ctx) {
      const { wb } = ctx;
      const runId = '20261101-000000-cae-long';
      const dir = join(ctx.server.runsDir, runId);
      cpSync(join(ctx.server.runsDir, CAE_DONE), dir, { recursive: true });
      const N = 100_000;
      const rows: string[] = [];
      for (let s = 1; s <= N; s++) {
        const main = 0.35 + 0.6 * Math.exp(-s / 8000) + 0.02 * Math.sin(s * 0.37);
        const align = 0.02 + 0.3 * Math.exp(-s / 3000) + 0.005 * Math.cos(s * 0.11);
        rows.push(JSON.stringify({ step: s, epoch: Math.floor(s / 64), lr: 5e-4 * Math.min(1, s / 2000), loss: main + 2 * align, loss_main: main, loss_align: align, imgs_per_s: 900 + (s % 97), latent_std: 0.3 + 0.01 * Math.sin(s / 500), time: '' }));
      }
      writeFileSync(join(dir, 'metrics.jsonl'), rows.join('\n') + '\n');
      const status = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'));
      writeFileSync(join(dir, 'status.json'), JSON.stringify({ ...status, step: N, totalSteps: N }));
      await wb.waitRow(runId, /completed · step 100000\/100000/, 20_000);
      const t0 = Date.now();
      await wb.runRow(runId).click();
      const frame = await runPanel(ctx, runId, 60_000);
      await waitInFrame(frame, () => document.getElementById('loss-chart')?.dataset.points === '100000', '100k points', 60_000);
      const renderMs = await frame.evaluate(() => Number(document.getElementById('loss-chart')?.dataset.renderMs));
      ctx.log(`panel with 100k points ready in ${Date.now() - t0} ms (charts fed in ${renderMs} ms)`);
      const timed = (sel: string, act: string): Promise<number> => frame.evaluate(([s, a]) => {
        const el = document.querySelector(s) as HTMLInputElement;
        const t = performance.now();
        if (a === 'click') el.click();
        else {
          el.value = a;
          el.dispatchEvent(new Event('input'));
        }
        return performance.now() - t;
      }, [sel, act]);
      const logMs = await timed('#log-y', 'click');
      const smoothMs = await timed('#smoothing', '0.9');
      const box = await frame.locator('#loss-chart').boundingBox();
      if (!box) throw new Error('no loss chart');
      const z0 = Date.now();
      await ctx.page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
      await ctx.page.mouse.down();
      await ctx.page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 4 });
      await ctx.page.mouse.up();
      const zoomMs = Date.now() - z0;
      ctx.log(`log scale ${logMs.toFixed(0)} ms, smoothing ${smoothMs.toFixed(0)} ms, drag-zoom ${zoomMs} ms`);
      await frame.locator('#cell-losses').screenshot({ path: join(ctx.out, '8-long-run-zoomed.png') });
      for (const [what, ms] of [['charts fed', renderMs], ['log scale', logMs], ['smoothing', smoothMs]] as const) {
        if (ms > 2500) throw new Error(`${what} took ${ms} ms with 100k points`);
      }
    },
  },
];
