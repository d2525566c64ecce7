// The seven end-to-end scenarios of issue 7 (and a long-run check), run in order in one code-server window.
// Scenario 2 creates the run that 4 probes; each waits on conditions (tree labels, data attributes the panels
// set, files on disk), never on fixed sleeps.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EDITOR_SCENARIOS } from './scenario-editor';
import { EXPERIMENTS } from './scenario-experiments';
import { LONG_RUN } from './scenario-long-run';
import { TORCH_RUN } from './scenario-torch-run';
import { UNTRUSTED } from './scenario-untrusted';
import {
  CAE_DONE, MAE_DONE, UNLOAD_NOISE, expectPanelContent, expectSamples, newRun, openRunPanel, points, readStatus, runIds, runPanel, trainerProcesses, until, type Scenario,
} from './steps';
import { waitInFrame } from './workbench';

export type { Ctx, Scenario } from './steps';

export const SCENARIOS: Scenario[] = [
  {
    name: '1 activation and fixture runs',
    fatal: true,
    expectedErrors: [/inline script.*violates the following Content Security Policy/i],
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
      // The panel's CSP blocks an injected inline script, and the harness sees the violation (so a real one fails).
      const ran = await frame.evaluate(() => {
        const el = document.createElement('script');
        el.textContent = 'document.body.dataset.injected = "1"';
        document.body.append(el);
        return document.body.dataset.injected === '1';
      });
      if (ran) throw new Error('an inline script without the nonce ran: the CSP is not applied');
      await ctx.waitConsole(/inline script.*violates the following Content Security Policy/i);
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
      const frame = await openRunPanel(ctx, runId);
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
    // The web workbench itself complains while it unloads (not ours).
    expectedErrors: UNLOAD_NOISE,
    async run(ctx) {
      const { wb, page } = ctx;
      await wb.closeAllEditors();
      await expectPanelContent(await openRunPanel(ctx, CAE_DONE), 30);
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
    expectedErrors: [/MIM Lab: cannot start the run/],
    async run(ctx) {
      const { wb, page } = ctx;
      await wb.closeAllEditors();
      const dir = join(ctx.server.workspace, 'configs');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'bad.mimlab.json'), '{\n  "preset": "cae-tiny",\n  "train": { "steps": "many" },\n  "loss": { "alignWeigth": 1 }\n}\n');
      const before = runIds(ctx);
      await page.keyboard.press('Control+P');
      await wb.quickPick('bad.mimlab.json');
      // MIM Lab's diagnostics underline both mistakes as errors (the JSON service could only warn)…
      await page.waitForFunction(() => document.querySelectorAll('.monaco-editor .squiggly-error').length >= 2, undefined, { timeout: 30_000 });
      const warnings = await page.locator('.monaco-editor .squiggly-warning').count();
      if (warnings) throw new Error(`${warnings} warning squiggles: wrong types and unknown keys are errors`);
      // …and Problems lists them in the CLI's words, with a suggestion for the misspelt key.
      await wb.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
      await page.locator('.markers-panel .monaco-list-row', { hasText: /train\.steps must be an integer ≥ 1, got "many"/ }).first().waitFor({ timeout: 15_000 });
      await page.locator('.markers-panel .monaco-list-row', { hasText: /loss\.alignWeigth: unknown key; did you mean loss\.alignWeight\?/ }).first().waitFor({ timeout: 15_000 });
      await page.screenshot({ path: join(ctx.out, '7-problems.png') });
      await page.locator('.monaco-editor').first().click();
      await wb.runCommand('MIM Lab: Start Run from This Config File');
      // Refused before the overrides box, naming every problem.
      const msg = await wb.notification(/cannot start the run/);
      if (!/train\.steps/.test(msg) || !/alignWeigth/.test(msg)) throw new Error(`the refusal does not name both problems: ${msg}`);
      const after = runIds(ctx);
      if (after.length !== before.length) throw new Error(`a run folder was created: ${after.filter((a) => !before.includes(a)).join(', ')}`);
    },
  },
  ...EDITOR_SCENARIOS,
  LONG_RUN,
  EXPERIMENTS,
  TORCH_RUN,
  UNTRUSTED,
];
