// Scenario 8: a run with 100k logged steps opens, draws and reacts within budget (chart decimation at work).
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAE_DONE, runPanel, type Scenario } from './steps';
import { waitInFrame } from './workbench';

export const LONG_RUN: Scenario = {
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
};
