// Scenarios of issue 20, the editor as a user meets it: a click during a refresh, a picker a probe's
// notification must not close, the overrides box, and probe scores beside their chance level.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAE_DONE, MAE_DONE, newRun, runIds, runPanel, until, type Ctx, type Scenario } from './steps';
import { waitInFrame } from './workbench';

const quickInput = '.quick-input-widget';

/** A run folder in a day of its own (listed last), so adding and removing it changes the tree's structure. */
function toggleExtraRun(ctx: Ctx): void {
  const dir = join(ctx.server.runsDir, '20261001-000000-refresh-trigger');
  if (existsSync(dir)) {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'status.json'), JSON.stringify({
    state: 'completed', step: 1, totalSteps: 1, epoch: 0, pid: 0, backend: 'cpu', checkpointStep: 0, algorithm: 'cae',
    startedAt: '2026-10-01T00:00:00.000Z', updatedAt: '2026-10-01T00:00:00.000Z',
  }));
}

/** Waits until no run panel is open, so that the next one found is a new one. */
async function noRunPanel(ctx: Ctx): Promise<void> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const open = await Promise.all(ctx.page.frames().filter((f) => !f.isDetached())
      .map((f) => f.evaluate(() => document.body?.dataset.panel === 'run').catch(() => false)));
    if (!open.some(Boolean)) return;
    await ctx.page.waitForTimeout(100);
  }
  throw new Error('the run panel did not close');
}

async function waitQuickInputMessage(ctx: Ctx, re: RegExp): Promise<string> {
  const msg = ctx.page.locator(`${quickInput} .quick-input-message`);
  const end = Date.now() + 10_000;
  let last = '';
  while (Date.now() < end) {
    last = (await msg.textContent().catch(() => '')) ?? '';
    if (re.test(last)) return last;
    await ctx.page.waitForTimeout(100);
  }
  throw new Error(`the input box never said ${re} (last: "${last}")`);
}

/** Types overrides into the New Run box, presses Enter, and checks the box is still open with the text and the message. */
async function overridesRefused(ctx: Ctx, text: string, message: RegExp): Promise<string> {
  const { wb, page } = ctx;
  const before = runIds(ctx).length;
  await wb.runCommand('MIM Lab: New Pretraining Run');
  await wb.quickPick('cae-tiny');
  await page.locator(`${quickInput} .quick-input-title`, { hasText: 'New Pretraining Run (2/2)' }).waitFor();
  const input = page.locator(`${quickInput} input`);
  await input.fill(text);
  const shown = await waitQuickInputMessage(ctx, message);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
  if (!(await page.locator(quickInput).isVisible())) throw new Error('Enter closed the overrides box although its text is invalid');
  if ((await input.inputValue()) !== text) throw new Error(`the box lost the text: "${await input.inputValue()}"`);
  await waitQuickInputMessage(ctx, message);
  await page.locator(quickInput).screenshot({ path: join(ctx.out, `overrides-${text.replace(/[^a-z0-9]+/gi, '-')}.png`) });
  await page.keyboard.press('Escape');
  if (runIds(ctx).length !== before) throw new Error('a run folder was created');
  return shown;
}

/** A probe result written into a workspace copy of a fixture run. */
function writeProbe(ctx: Ctx, runId: string, id: string, kind: string, top1: number, randomInit: boolean, extra: Record<string, unknown> = {}): void {
  const dir = join(ctx.server.runsDir, runId, 'probes', id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'result.json'), JSON.stringify({
    id, kind, top1, top5: 0.5, randomInit, checkpointStep: 30, epochs: 0, features: 'cls', numTrain: 512, numTest: 256, numClasses: 10,
    finishedAt: '2026-11-20T10:30:00.000Z', ...extra,
  }));
}

export const EDITOR_SCENARIOS: Scenario[] = [
  {
    name: '10 a click on a tree row during a refresh opens the panel',
    async run(ctx) {
      const { wb, page } = ctx;
      await wb.closeAllEditors();
      await wb.openRunsView();
      // A run folder appears or goes, the user presses Refresh and clicks a run at once: the click reaches the
      // extension host while the tree is being rebuilt. Each click must open the panel.
      const refresh = page.locator('.sidebar .action-label[aria-label^="Refresh Runs"]').first();
      for (let i = 0; i < 12; i++) {
        const row = wb.runRow(CAE_DONE);
        await row.hover();
        const rowBox = await row.boundingBox();
        const refreshBox = await refresh.boundingBox();
        if (!rowBox || !refreshBox) throw new Error('no tree row or Refresh button');
        toggleExtraRun(ctx);
        await page.mouse.click(refreshBox.x + refreshBox.width / 2, refreshBox.y + refreshBox.height / 2);
        await page.waitForTimeout((i % 4) * 10);
        await page.mouse.click(rowBox.x + 60, rowBox.y + rowBox.height / 2);
        try {
          await runPanel(ctx, CAE_DONE, 8_000);
        } catch {
          throw new Error(`click ${i + 1} on a row during a refresh opened no run panel`);
        }
        await wb.closeAllEditors();
        await noRunPanel(ctx);
      }
      if (existsSync(join(ctx.server.runsDir, '20261001-000000-refresh-trigger'))) toggleExtraRun(ctx);
      // The lr chart is linear until "log scale" is ticked, which switches the loss and lr charts together.
      await wb.runRow(CAE_DONE).click();
      const frame = await runPanel(ctx, CAE_DONE);
      const scales = (): Promise<string[]> => frame.evaluate(() => ['loss-chart', 'lr-chart'].map((id) => document.getElementById(id)?.dataset.yScale ?? '?'));
      if ((await scales()).join() !== 'linear,linear') throw new Error(`charts start as ${await scales()}`);
      await frame.locator('#log-y').click();
      await waitInFrame(frame, () => document.getElementById('lr-chart')?.dataset.yScale === 'log', 'the lr chart on a log axis');
      await frame.locator('#log-y').click();
      await waitInFrame(frame, () => document.getElementById('lr-chart')?.dataset.yScale === 'linear', 'the lr chart linear again');
      await waitInFrame(frame, () => document.getElementById('recon-caption')?.textContent?.includes('encoder → decoder'), 'the reconstruction caption');
      await frame.locator('#cell-losses').screenshot({ path: join(ctx.out, '10-curves.png') });
      await frame.locator('#cell-recon').screenshot({ path: join(ctx.out, '10-reconstructions.png') });
    },
  },
  {
    name: '11 a probe notification does not close an open picker',
    async run(ctx) {
      const { wb, page } = ctx;
      await wb.closeAllEditors();
      await wb.openRunsView();
      const runId = await newRun(ctx, 'cae-tiny', 'train.steps=20 sample.every=0 train.checkpointEvery=10');
      await wb.waitRow(runId, /completed · step 20\/20/, 120_000);
      const probesDir = join(ctx.server.runsDir, runId, 'probes');
      const results = (): string[] => (existsSync(probesDir) ? readdirSync(probesDir) : []).filter((d) => existsSync(join(probesDir, d, 'result.json')));
      // Start an attentive probe from the run panel (where its result will show)…
      const panel = await runPanel(ctx, runId);
      await panel.locator('#btn-probe-attentive:not([disabled])').click();
      await wb.notification(/attentive probe of/i, 30_000);
      // …and while it runs, open the k-NN probe's run picker and leave it open until the attentive probe has finished.
      await wb.runCommand('MIM Lab: Run k-NN Probe');
      const picker = page.locator(`${quickInput} input[placeholder*="probe on"]`);
      await picker.waitFor({ timeout: 10_000 });
      await until(() => results().length === 1, 'the attentive probe to finish', 120_000);
      ctx.log('attentive probe finished with the picker open');
      await page.waitForTimeout(2_500);
      if (!(await picker.isVisible())) throw new Error('the k-NN run picker closed when the attentive probe finished');
      await wb.quickPick(runId, runId);
      // The held notification comes once the picker has closed, and the k-NN probe runs.
      await wb.notification(/attentive probe of .*: top-1/i, 15_000);
      await until(() => results().some((d) => d.startsWith('knn-')), 'the k-NN probe result', 60_000);
    },
  },
  {
    name: '12 train.steps=-5 in the overrides box shows the rule inline and keeps the text',
    async run(ctx) {
      const shown = await overridesRefused(ctx, 'train.steps=-5', /train\.steps must be an integer ≥ 1, got -5/);
      if (/--set/.test(shown)) throw new Error(`CLI words in the editor: ${shown}`);
    },
  },
  {
    name: '13 an unknown key in the overrides box suggests the nearest',
    async run(ctx) {
      const shown = await overridesRefused(ctx, 'train.stepz=5', /train\.stepz: unknown key; did you mean train\.steps\?/);
      if (shown.length > 200) throw new Error(`the message lists keys instead of suggesting one: ${shown}`);
    },
  },
  {
    name: '14 a below-chance probe is not marked best and the chance level shows',
    async run(ctx) {
      const { wb } = ctx;
      await wb.closeAllEditors();
      const written: [string, string][] = [
        [CAE_DONE, 'knn-step000030-20261120-102000'], [CAE_DONE, 'knn-random-20261120-102100'], [MAE_DONE, 'knn-step000030-20261120-112000'],
        [MAE_DONE, 'attentive-step000030-20261120-112100'],
      ];
      writeProbe(ctx, CAE_DONE, written[0][1], 'knn', 0.082, false);
      writeProbe(ctx, CAE_DONE, written[1][1], 'knn', 0.21, true);
      writeProbe(ctx, MAE_DONE, written[2][1], 'knn', 0.07, false);
      // A deeper attentive head (V-JEPA 2's pooler): compare must name it beside the score, CAE's head it leaves unnamed.
      writeProbe(ctx, MAE_DONE, written[3][1], 'attentive', 0.99, false, { head: { depth: 2, queries: 1, mlp: false } });
      await wb.openRunsView();
      await wb.runRow(CAE_DONE).click();
      const panel = await runPanel(ctx, CAE_DONE);
      const knnRow = (await waitInFrame(panel, (): string[] | false => {
        const tr = document.querySelector('#probe-table tr[data-probe-id="knn-step000030-20261120-102000"]');
        return tr ? Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '') : false;
      }, 'the k-NN probe in the run panel')) as string[];
      if (knnRow[0] !== 'k-NN' || !/8\.2%chance 10\.0% · random init 21\.0%/.test(knnRow[2]) || knnRow[5] !== '–') throw new Error(`k-NN row: ${JSON.stringify(knnRow)}`);
      await wb.runRow(MAE_DONE).click({ modifiers: ['Control'] });
      await wb.contextMenu(wb.runRow(MAE_DONE), 'Compare Runs');
      const frame = await wb.panelFrame('compare');
      type Cell = { kind?: string; best: boolean; chance?: string; text: string | null };
      const cells = (await waitInFrame(frame, (): Cell[] | false => {
        const tds = Array.from(document.querySelectorAll('#probe-table td[data-kind]')) as HTMLElement[];
        return tds.length === 6 ? tds.map((td) => ({ kind: td.dataset.kind, best: td.classList.contains('best'), chance: td.dataset.chance, text: td.textContent })) : false;
      }, 'the compare probe table')) as Cell[];
      const knn = cells.filter((c) => c.kind === 'knn');
      if (knn.some((c) => c.best)) throw new Error(`a below-chance k-NN score is marked best: ${JSON.stringify(knn)}`);
      if (!knn.every((c) => c.chance === '0.1' && /chance 10\.0%/.test(c.text ?? ''))) throw new Error(`chance level missing: ${JSON.stringify(knn)}`);
      const linear = cells.filter((c) => c.kind === 'linear');
      if (!linear[0].best || linear[1].best) throw new Error(`the above-chance linear 31.3% should be best: ${JSON.stringify(linear)}`);
      const attentive = cells.filter((c) => c.kind === 'attentive');
      if (/block/.test(attentive[0].text ?? '') || !/99\.0%.*\(2 blocks, 1 query\)/.test(attentive[1].text ?? '')) {
        throw new Error(`attentive heads: CAE's unnamed, the 2-block head named: ${JSON.stringify(attentive)}`);
      }
      await wb.dismissNotifications();
      await frame.locator('#cell-probes').screenshot({ path: join(ctx.out, '14-compare-probes.png') });
      // The fixture runs are shared with later scenarios (the experiments view's groups): take the planted probes out.
      for (const [runId, id] of written) rmSync(join(ctx.server.runsDir, runId, 'probes', id), { recursive: true, force: true });
    },
  },
];
