// Scenario 15: the Experiments view lists the runs of a seed study, sorts by a probe column, groups by a config
// key with mean ± sd, plots a metric against a swept key, one slider moves every selected run's strip, and a
// sweep queued from its form runs and is cancelled.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { EXPERIMENT_RUNS, writeExperimentRuns } from '../helpers/experiment-runs';
import { CAE_DONE, until, type Scenario } from './steps';

const readJson = (f: string): { state?: string; checkpointStep: number } | null => {
  try {
    return JSON.parse(readFileSync(f, 'utf8'));
  } catch {
    return null;
  }
};
import { waitInFrame } from './workbench';

export const EXPERIMENTS: Scenario = {
  name: '15 experiments view: sort, group, scatter, shared step slider, a sweep queued and cancelled',
  async run(ctx) {
    const { wb } = ctx;
    // The study's numbers (group means, the lowest score) are those of the fixture runs: runs that earlier scenarios
    // trained or probed are set aside in a sibling folder so that they do not join its groups.
    const fixtures = new Set(readdirSync(join(__dirname, '..', 'fixtures', 'runs')));
    const aside = join(ctx.server.runsDir, '..', 'runs-set-aside');
    mkdirSync(aside, { recursive: true });
    for (const d of readdirSync(ctx.server.runsDir)) {
      if (!fixtures.has(d) && existsSync(join(ctx.server.runsDir, d, 'config.json'))) renameSync(join(ctx.server.runsDir, d), join(aside, d));
    }
    const dirs = writeExperimentRuns(ctx.server.runsDir);
    for (const d of dirs) cpSync(join(ctx.server.runsDir, CAE_DONE, 'samples'), join(d, 'samples'), { recursive: true }); // steps 10, 20, 30
    await wb.closeAllEditors();
    await wb.runCommand('MIM Lab: Open Experiments');
    const frame = await wb.panelFrame('experiments');
    const ids = EXPERIMENT_RUNS.map((r) => r.id);
    await waitInFrame(frame, (list) => (JSON.parse(list) as string[]).every((id) => document.querySelector(`#runs-table tr[data-run="${id}"]`)), 'the study\'s runs in the table', 30_000, JSON.stringify(ids));
    const headers = await frame.evaluate(() => Array.from(document.querySelectorAll('#runs-table th[data-col]')).map((th) => (th as HTMLElement).dataset.col));
    for (const col of ['config:loss.alignWeight', 'config:model.dim', 'config:train.seed', 'metric:knn.top1', 'metric:knn.margin']) {
      if (!headers.includes(col as string)) throw new Error(`no ${col} column: ${headers.join(', ')}`);
    }
    ctx.log(`${await frame.evaluate(() => document.querySelectorAll('#runs-table tbody tr').length)} runs listed`);

    // Sort by k-NN top-1: descending first, runs without a k-NN probe last; a second click reverses.
    const knnColumn = (): Promise<string[]> => frame.evaluate(() => Array.from(document.querySelectorAll('#runs-table tbody td[data-col="metric:knn.top1"]')).map((td) => (td as HTMLElement).dataset.value ?? ''));
    const ordered = (vals: string[], descending: boolean): boolean => {
      const nums = vals.filter((v) => v !== '').map(Number);
      const firstMissing = vals.indexOf('');
      return (firstMissing < 0 || vals.slice(firstMissing).every((v) => v === '')) && nums.every((v, i) => i === 0 || (descending ? nums[i - 1] >= v : nums[i - 1] <= v));
    };
    await frame.locator('#runs-table th[data-col="metric:knn.top1"]').click();
    await waitInFrame(frame, () => document.querySelector('#runs-table th[data-col="metric:knn.top1"]')?.getAttribute('aria-sort') === 'descending', 'sorted descending');
    const desc = await knnColumn();
    if (!ordered(desc, true) || Number(desc[0]) !== 99) throw new Error(`not sorted by k-NN top-1 (descending): ${desc.join(' ')}`);
    await frame.locator('#runs-table th[data-col="metric:knn.top1"]').click();
    await waitInFrame(frame, () => document.querySelector('#runs-table th[data-col="metric:knn.top1"]')?.getAttribute('aria-sort') === 'ascending', 'sorted ascending');
    const asc = await knnColumn();
    // Other scenarios add runs of their own, so the lowest score is read off the descending order, not fixed.
    const lowest = Math.min(...desc.filter((v) => v !== '').map(Number));
    if (!ordered(asc, false) || Number(asc[0]) !== lowest) throw new Error(`not sorted by k-NN top-1 (ascending): ${asc.join(' ')}`);
    ctx.log(`sorted: ${asc.filter(Boolean).join(' ')}`);
    await frame.locator('#cell-runs').screenshot({ path: join(ctx.out, '10-runs.png') });

    // Group by λ (the seed aside): the λ = 0 group's k-NN is 50 / 60 / 70 % → 60.0 ± 10.0 over its 3 probed runs.
    await frame.selectOption('#group-by', 'loss.alignWeight');
    const cell = String(await waitInFrame(frame, () => document.querySelector('#group-table tr[data-group="loss.alignWeight=0"] td[data-col="knn.top1"]')?.textContent, 'the λ = 0 group row'));
    if (!/^60\.0 ± 10\.0/.test(cell)) throw new Error(`λ = 0 group k-NN: ${cell}`);
    const margin = await frame.evaluate(() => document.querySelector('#group-table tr[data-group="loss.alignWeight=0"] td[data-col="knn.margin"]')?.textContent ?? '');
    if (!/^\+35\.0 ± 8\.7/.test(margin)) throw new Error(`λ = 0 group margin over random init: ${margin}`);
    await frame.locator('#cell-groups').screenshot({ path: join(ctx.out, '10-groups.png') });

    // Scatter: k-NN top-1 against λ, a point per completed probed run (the failed seed 3 is left out, as in the groups).
    await frame.selectOption('#scatter-x', 'loss.alignWeight');
    await frame.selectOption('#scatter-metric', 'knn.top1');
    await waitInFrame(frame, () => Number(document.getElementById('scatter')?.dataset.points ?? 0) >= 6, 'scatter points');

    // Shared step slider: two selected runs, every strip follows the slider.
    for (const id of [ids[0], ids[4]]) await frame.locator(`#runs-table tr[data-run="${id}"] input[type="checkbox"]`).check();
    await waitInFrame(frame, () => document.getElementById('strips')?.dataset.drawn === '2', 'two runs side by side');
    const stripSteps = (): Promise<string[]> => frame.evaluate(() => Array.from(document.querySelectorAll('#strips td.strip')).map((td) => (td as HTMLElement).dataset.step ?? ''));
    for (const [index, step] of [[0, '10'], [2, '30'], [1, '20']] as const) {
      await frame.evaluate((i) => {
        const s = document.getElementById('shared-step') as HTMLInputElement;
        s.value = String(i);
        s.dispatchEvent(new Event('input'));
      }, index);
      await waitInFrame(frame, (want) => {
        const tds = Array.from(document.querySelectorAll('#strips td.strip'));
        return tds.length === 8 && tds.every((td) => (td as HTMLElement).dataset.step === want && td.querySelector('canvas'));
      }, `every strip at step ${step}`, 15_000, step);
    }
    ctx.log(`strips: ${(await stripSteps()).join(' ')}`);
    await frame.locator('#cell-strips').screenshot({ path: join(ctx.out, '10-strips.png') });

    // The form's sweep is named <preset>-<date-time>; its first run folder ends in -001-s0.
    const SWEPT = /-cae-tiny-\d{8}-\d{6}-001-s0$/;
    // Queue a sweep from the form (a `mim-lab sweep` child of the extension), see it run, cancel it: it stops.
    await frame.selectOption('#sweep-preset', 'cae-tiny');
    await frame.fill('#sweep-grid', 'loss.alignWeight=0,2');
    await frame.fill('#sweep-seeds', '0');
    await frame.fill('#sweep-jobs', '1');
    await frame.fill('#sweep-probes', 'none');
    await frame.fill('#sweep-sets', 'train.steps=5000 train.checkpointEvery=20 sample.every=0');
    await frame.locator('#queue-sweep').click();
    await waitInFrame(frame, () => document.querySelector('#sweep-table tr[data-state="running"]'), 'the queued sweep running', 30_000);
    await until(() => readdirSync(ctx.server.runsDir).some((d) => SWEPT.test(d) && (readJson(join(ctx.server.runsDir, d, 'status.json'))?.checkpointStep ?? 0) >= 20), 'its first run past a checkpoint', 60_000);
    await frame.locator('#sweep-table tr[data-state="running"] button.cancel-sweep').click();
    await waitInFrame(frame, () => document.querySelector('#sweep-table tr[data-state="stopped"] button.resume-sweep'), 'the sweep stopped and resumable', 60_000);
    const run = readdirSync(ctx.server.runsDir).find((d) => SWEPT.test(d)) ?? '';
    const state = readJson(join(ctx.server.runsDir, run, 'status.json'))?.state;
    if (state !== 'stopped') throw new Error(`the sweep's run ${run} is ${state}, not stopped`);
    ctx.log(`sweep queued, ran and was cancelled (${run} stopped)`);
  },
};
