// Scenario 9: in an untrusted workspace runs are still listed and viewable, but training and probes are
// disabled with an explanation. Uses a second code-server with workspace trust switched on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeServer } from './code-server';
import { CAE_DONE, UNLOAD_NOISE, runPanel, type Scenario } from './steps';
import { Workbench, waitInFrame } from './workbench';

export const UNTRUSTED: Scenario = {
  name: '9 untrusted workspace: browse only, training disabled with a reason',
  expectedErrors: UNLOAD_NOISE,
  async run(ctx) {
    const root = mkdtempSync(join(tmpdir(), 'mimlab-e2e-untrusted-'));
    const server = new CodeServer({ ...ctx.server.options, root, trust: true });
    server.prepare();
    const url = await server.start();
    ctx.recordGroup(server.pid);
    const page = await ctx.page.context().newPage();
    ctx.watch(page);
    try {
      await page.goto(url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      // Startup asks whether to trust the folder's authors: say no (restricted mode).
      await page.locator('.monaco-dialog-box .monaco-button', { hasText: /don't trust|No/ }).first().click({ timeout: 30_000 });
      const wb = new Workbench(page);
      await wb.waitReady();
      await wb.openRunsView();
      await wb.waitRow(CAE_DONE, /completed/);
      await wb.runCommand('MIM Lab: New Pretraining Run');
      await wb.notification(/disabled in an untrusted workspace/);
      await wb.runRow(CAE_DONE).click();
      const frame = await runPanel({ ...ctx, wb }, CAE_DONE);
      await waitInFrame(frame, () => {
        const probe = document.getElementById('btn-probe-attentive') as HTMLButtonElement | null;
        return probe?.disabled && /untrusted workspace/.test(document.getElementById('header')?.textContent ?? '');
      }, 'disabled probe buttons with the reason');
      await page.screenshot({ path: join(ctx.out, '9-untrusted.png') });
    } finally {
      await page.close();
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    }
  },
};
