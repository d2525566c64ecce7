// Scenario 10: a PyTorch-engine run started from New Run with 2 processes on this machine (DDP under torchrun, gloo)
// shows live in the run panel like a TF.js run: curves growing, a reconstruction drawn, the world size in the tree
// and the panel's header, completed with worldSize 2 in status.json.
import { join } from 'node:path';
import type { RunStatus } from '../../src/protocol/run-files';
import { expectSamples, points, readStatus, runIds, runPanel, until, type Scenario } from './steps';
import { waitInFrame } from './workbench';

export const TORCH_RUN: Scenario = {
  name: '16 a torch run with 2 processes trains live in the run panel',
  async run(ctx) {
    const { wb } = ctx;
    const before = new Set(runIds(ctx));
    await wb.runCommand('MIM Lab: New Pretraining Run');
    await wb.quickPick('Engine', 'switch to PyTorch'); // the list comes back with the engine switched
    await wb.quickPick('Processes on this machine');
    await wb.inputBox('2', 'processes on this machine');
    await wb.quickPick('cae-tiny');
    await wb.inputBox('train.steps=300 train.batchSize=8 sample.every=60 train.checkpointEvery=100', 'New Pretraining Run (2/2)');
    const runId = await until(() => runIds(ctx).find((id) => !before.has(id)), 'a new run folder', 60_000);
    ctx.log(`torch run folder ${runId}`);
    await wb.waitRow(runId, /running · step \d+\/300 · ×2 processes/, 90_000);
    const frame = await runPanel(ctx, runId);
    const p1 = await waitInFrame(frame, () => Number(document.getElementById('loss-chart')?.dataset.points ?? 0), 'first points', 60_000);
    for (const end = Date.now() + 60_000; (await points(frame)) <= p1 && readStatus(ctx, runId).state !== 'completed';) {
      if (Date.now() > end) throw new Error(`chart stayed at ${p1} points`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await expectSamples(frame, 90_000);
    await frame.locator('#cell-recon').screenshot({ path: join(ctx.out, '10-torch-reconstructions.png') });
    await wb.waitRow(runId, /completed · step 300\/300 · ×2 processes/, 120_000);
    const s = readStatus(ctx, runId) as ReturnType<typeof readStatus> & RunStatus;
    if (s.engine !== 'torch' || s.worldSize !== 2 || s.distBackend !== 'gloo') throw new Error(`status.json: engine ${s.engine}, worldSize ${s.worldSize}, distBackend ${s.distBackend}`);
    await waitInFrame(frame, () => /2 processes \(gloo\)/.test(document.body.textContent ?? ''), 'the header names the world size', 10_000);
  },
};
