// report.html end to end: a real cae-tiny run (with the sampler and a probe's attention) and a fixture run are
// written as reports, checked for external references, then opened in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core): no console errors, no network requests, curves, images, probes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { resolveConfig } from '../../../src/config/resolve';
import { openDataset } from '../../../src/data/open';
import { writeProbeAttention } from '../../../src/diagnostics/probe-attention';
import { loadSampleBatch } from '../../../src/diagnostics/sample-batch';
import { createSampler } from '../../../src/trainer/sampler';
import { initBackend } from '../../../src/ml/backend';
import { modelSpecFromConfig } from '../../../src/ml/model-spec';
import { writeJsonAtomic } from '../../../src/util/fs-atomic';
import { bundleReportScript } from '../../../src/report/assets';
import { writeReport } from '../../../src/report/write-report';
import { runPretrain } from '../../../src/trainer/pretrain';
import { StopSignal } from '../../../src/trainer/stop';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

let root = '';
let script = '';
let browser: Browser | null = null;
let liveRun = '';

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'mimlab-report-'));
  await initBackend('wasm');
  const [bundled] = await Promise.all([bundleReportScript(), trainLiveRun()]);
  script = bundled;
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
});

after(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A 4-step cae-tiny run sampled at steps 2 and 4, plus an attentive probe's result and attention. */
async function trainLiveRun(): Promise<void> {
  const config = resolveConfig({ preset: 'cae-tiny', sets: ['backend=wasm', 'train.steps=4', 'sample.every=2', 'train.checkpointEvery=100'] });
  const r = await runPretrain({ config, runsDir: root, name: 'live', reporter: { emit: () => undefined }, stop: new StopSignal(), hooks: [createSampler()] });
  liveRun = r.runDir;
  const norm = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
  const batch = await loadSampleBatch(config, await openDataset(config), norm);
  const n = batch.indices.length;
  const probs = new Float32Array(n * 2 * 17).map((_, i) => (i % 17 === 5 ? 0.5 : 0.5 / 16));
  writeProbeAttention(liveRun, 'attentive-1', batch, { probs, heads: 2 }, modelSpecFromConfig(config).geometry);
  const result = (id: string, top1: number): unknown => ({
    id, kind: 'attentive', top1, top5: 0.8, randomInit: false, checkpointStep: 4, epochs: 2, features: 'tokens',
    numTrain: 512, numTest: 256, numClasses: 10, finishedAt: '2026-11-29T10:00:00.000Z',
  });
  writeJsonAtomic(join(liveRun, 'probes', 'attentive-1', 'result.json'), { ...(result('attentive-1', 0.31) as object), head: { depth: 2, queries: 4, mlp: true } });
  // A second probe that only has the probe job's own dump (probes/<id>/attention.json): the report draws it.
  const row = Array.from({ length: 17 }, (_, k) => (k === 0 ? 0.2 : 0.05));
  mkdirSync(join(liveRun, 'probes', 'attentive-2'), { recursive: true });
  writeJsonAtomic(join(liveRun, 'probes', 'attentive-2', 'attention.json'), { images: [0, 1], heads: 1, tokens: 17, probs: [[row, row], [row, row]] });
  writeJsonAtomic(join(liveRun, 'probes', 'attentive-2', 'result.json'), result('attentive-2', 0.29));
}

function staticChecks(html: string): void {
  assert.equal(/\b(?:src|href|action|poster)\s*=\s*["']?\s*(?:https?:)?\/\//i.test(html), false, 'no external src/href');
  assert.equal(/url\(\s*["']?\s*(?:https?:)?\/\//i.test(html), false, 'no external url() in CSS');
  assert.equal(/@import/i.test(html), false);
  assert.equal(/\bfetch\s*\(|XMLHttpRequest|new WebSocket|EventSource|sendBeacon/.test(html), false, 'no network APIs');
}

async function render(file: string): Promise<{ errors: string[]; requests: string[]; page: import('playwright-core').Page }> {
  assert.ok(browser, `${CHROMIUM} is missing (apt-get install -y chromium)`);
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 10_000 });
  await page.waitForSelector('#heatmaps[data-drawn]', { timeout: 10_000 });
  return { errors, requests, page };
}

test('report of a live run: self-contained, renders curves, reconstructions, heatmaps and probes without errors', async () => {
  const out = join(root, 'live-report.html');
  assert.equal(await writeReport(liveRun, out, { script }), out);
  const html = readFileSync(out, 'utf8');
  staticChecks(html);
  const { errors, requests, page } = await render(out);
  try {
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith('data:')), [`file://${out}`], 'no request but the page itself');
    assert.equal(await page.getAttribute('#loss-chart', 'data-points'), '4');
    assert.equal(await page.getAttribute('#speed-chart', 'data-points'), '4');
    assert.equal(await page.locator('#recon table.image-grid tbody tr').count(), 4, 'a row per sample image');
    assert.equal(await page.locator('#recon table.image-grid thead th').count(), 6, 'row label + five views');
    assert.equal(await page.getAttribute('#heatmaps', 'data-drawn'), '4');
    assert.match((await page.textContent('#step-label')) ?? '', /step 4 \(latest\)/);
    // The step slider goes back to the first sample (step 0, the untrained model); the regressor view draws too.
    await page.locator('#step-slider').fill('0');
    await page.waitForSelector('#recon[data-step="0"]');
    await page.selectOption('#attn-mode', 'regressor');
    await page.waitForSelector('#heatmaps[data-drawn="4"]');
    assert.equal(await page.locator('#probe-table tbody tr').count(), 2);
    assert.match((await page.textContent('#probe-table')) ?? '', /31\.0%/);
    // The head an attentive probe trained is shown where its result was written (attentive-2's predates probe.depth).
    assert.deepEqual(await page.locator('#probe-table .probe-head').allTextContents(), [' · 2 blocks, 4 queries, MLP']);
    assert.equal(await page.locator('.probe-attention').count(), 2);
    assert.equal(await page.locator('.probe-attention img').count(), 3 + 2, 'mean map + one per head, for each probe');
    const sizes = await page.locator('.probe-attention img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    assert.ok(sizes.every((w) => w > 0), 'every inlined PNG decodes');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('report of a fixture run (older samples, probes without attention) renders without errors', async () => {
  const run = join(root, 'fixture');
  cpSync('test/fixtures/runs/20261120-100000-cae-tiny', run, { recursive: true });
  const out = await writeReport(run, undefined, { script });
  assert.equal(out, join(run, 'report.html'));
  staticChecks(readFileSync(out, 'utf8'));
  const { errors, requests, page } = await render(out);
  try {
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith('data:')), [`file://${out}`]);
    assert.equal(await page.getAttribute('#loss-chart', 'data-points'), '30');
    assert.equal(await page.locator('#probe-table tbody tr').count(), 2);
  } finally {
    await page.close();
  }
});
