// Writes the fixture run folders under test/fixtures/runs/ (committed; rerun after a run-folder contract change).
// They mimic what the trainer writes for a cae-tiny/mae-tiny run in every state the UI distinguishes.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

const ROOT = 'test/fixtures/runs';
const IMG = 16;
const PATCH = 4;
const GRID = IMG / PATCH;
const N = GRID * GRID;
const COUNT = 4;

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function writeJson(file, obj) {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(obj, null, 2) + '\n');
}

function writePng(file, width, height, pixel) {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const i = (y * width + x) * 4;
      png.data[i] = r; png.data[i + 1] = g; png.data[i + 2] = b; png.data[i + 3] = 255;
    }
  }
  writeFileSync(file, PNG.sync.write(png));
}

/** A synthetic image: a coloured disc on a gradient, like the built-in dataset. */
function image(k) {
  const cx = 5 + (k * 3) % 7, cy = 6 + (k * 5) % 5, r = 3 + (k % 3);
  const col = [[230, 80, 60], [60, 160, 230], [90, 200, 90], [240, 200, 60]][k % 4];
  return (x, y) => ((x - cx) ** 2 + (y - cy) ** 2 <= r * r ? col : [20 + 8 * y, 30 + 6 * x, 60]);
}

function maskedOf(k) {
  const r = rng(100 + k);
  const set = new Set();
  while (set.size < 8) set.add(Math.floor(r() * N));
  return [...set].sort((a, b) => a - b);
}

function softmax(xs) {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function writeSample(runDir, step, algorithm) {
  const dir = join(runDir, 'samples', String(step).padStart(6, '0'));
  mkdirSync(dir, { recursive: true });
  const views = algorithm === 'cae' ? ['original', 'masked', 'prediction', 'pasted', 'encoder-decode'] : ['original', 'masked', 'prediction', 'pasted'];
  const masked = Array.from({ length: COUNT }, (_, k) => maskedOf(k));
  const quality = Math.min(1, step / 30);
  const pixel = (k, v, x, y) => {
    const base = image(k)(x, y);
    const p = Math.floor(y / PATCH) * GRID + Math.floor(x / PATCH);
    const isMasked = masked[k].includes(p);
    if (v === 'original') return base;
    if (v === 'masked') return isMasked ? [128, 128, 128] : base;
    const blur = base.map((c) => Math.round(c * quality + 110 * (1 - quality)));
    if (v === 'pasted') return isMasked ? blur : base;
    return blur;
  };
  writePng(join(dir, 'reconstruction.png'), IMG * views.length, IMG * COUNT, (x, y) => pixel(Math.floor(y / IMG), views[Math.floor(x / IMG)], x % IMG, y % IMG));
  const strips = [];
  for (let k = 0; k < COUNT; k++) {
    const name = `strip-${k}.png`;
    writePng(join(dir, name), IMG * views.length, IMG, (x, y) => pixel(k, views[Math.floor(x / IMG)], x % IMG, y));
    strips.push(name);
  }
  const layers = 2, heads = 2;
  const r = rng(step);
  const enc = Array.from({ length: COUNT }, (_, k) => Array.from({ length: layers }, () => {
    const hs = Array.from({ length: heads }, () => softmax(Array.from({ length: N }, (_, p) => (masked[k].includes(p) ? -2 : 0) + 2.5 * r())));
    const avg = hs[0].map((_, p) => hs.reduce((a, h) => a + h[p], 0) / heads);
    return [...hs, avg];
  }));
  writeJson(join(dir, 'encoder-attention.json'), enc);
  const maps = [];
  for (let l = 0; l < layers; l++) for (const h of [0, 1, 'avg']) maps.push({ layer: l, head: h, png: `attn-l${l}-h${h}.png` });
  for (const m of maps) writePng(join(dir, m.png), IMG * COUNT, IMG, (x, y) => image(Math.floor(x / IMG))(x % IMG, y).map((c) => Math.min(255, c + 40)));
  let regressorAttention = null;
  if (algorithm === 'cae') {
    const reg = Array.from({ length: COUNT }, (_, k) => [softmax(Array.from({ length: N }, () => 3 * r()))]);
    writeJson(join(dir, 'regressor-attention.json'), reg);
    const keys = masked.map((m) => [...Array.from({ length: N }, (_, p) => p).filter((p) => !m.includes(p)), ...m]);
    regressorAttention = { query: masked.map((m) => m[0]), data: 'regressor-attention.json', keys, maps: [] };
  }
  writeJson(join(dir, 'sample.json'), {
    step, algorithm, imageSize: IMG, patchSize: PATCH, grid: [GRID, GRID], indices: [0, 1, 2, 3], labels: [0, 1, 2, 3], views,
    reconstruction: 'reconstruction.png', strips, masked, display: { scale: 1, pad: 0 },
    encoderAttention: { layers, heads, data: 'encoder-attention.json', maps },
    regressorAttention,
  });
}

function config(algorithm) {
  return {
    algorithm, preset: `${algorithm}-tiny`, backend: 'auto',
    data: { dataset: 'synthetic', path: '', imageSize: 16, channels: 3, cropScale: [0.08, 1], hflip: true, mean: [], std: [], prefetch: 4, syntheticTrain: 512, syntheticTest: 256 },
    model: { patchSize: 4, dim: 32, depth: 2, heads: 2, mlpRatio: 4, layerScale: 0.1, dropPath: 0, regressorDepth: 1, decoderDepth: 1, decoderDim: 32, decoderHeads: 2 },
    mask: { kind: algorithm === 'cae' ? 'block' : 'random', count: 8, minBlock: 0 },
    teacher: { momentum: 0 },
    loss: { alignWeight: algorithm === 'cae' ? 2 : 0, target: 'pixels', normPix: true },
    tokenizer: { path: '' },
    train: { steps: 30, batchSize: 8, microBatch: 0, seed: 0, lr: 5e-4, minLr: 1e-5, warmupSteps: 3, weightDecay: 0.05, beta1: 0.9, beta2: 0.999, clipGrad: 3, logEvery: 1, checkpointEvery: 10, keepCheckpoints: 2 },
    sample: { every: 10, count: 4 },
    monitor: { collapseStd: 0.05 },
  };
}

function metrics(algorithm, steps, seed, diverge = false) {
  const r = rng(seed);
  const rows = [];
  const t0 = Date.parse('2026-11-20T10:00:00Z');
  for (let s = 1; s <= steps; s++) {
    const main = 1.0 * Math.exp(-s / 25) + 0.35 + 0.03 * r();
    const align = algorithm === 'cae' ? 0.4 * Math.exp(-s / 10) + 0.02 + 0.01 * r() : null;
    let loss = main + (align ?? 0) * 2;
    if (diverge && s === steps) loss = null;
    rows.push({
      step: s, epoch: Math.floor((s * 8) / 512), lr: s <= 3 ? (5e-4 * s) / 3 : 1e-5 + (5e-4 - 1e-5) * 0.5 * (1 + Math.cos((Math.PI * (s - 3)) / 27)),
      loss, loss_main: diverge && s === steps ? null : main, loss_align: align, imgs_per_s: 180 + 20 * r(),
      latent_std: algorithm === 'cae' ? 0.3 + 0.05 * r() : null, grad_norm: 1 + r(), time: new Date(t0 + s * 50).toISOString(),
    });
  }
  return rows.map((x) => JSON.stringify(x)).join('\n') + '\n';
}

function makeRun(id, { algorithm = 'cae', state, step, ckpts, samples, probes = [], error, warnings, started, tornTail = false }) {
  const dir = join(ROOT, id);
  mkdirSync(dir, { recursive: true });
  writeJson(join(dir, 'config.json'), config(algorithm));
  writeJson(join(dir, 'status.json'), {
    state, kind: 'pretrain', algorithm, step, totalSteps: 30, epoch: Math.floor((step * 8) / 512), pid: 2147480000, backend: 'wasm',
    startedAt: started, updatedAt: started, checkpointStep: ckpts.at(-1) ?? 0, ...(error ? { error } : {}), ...(warnings ? { warnings } : {}),
  });
  let m = metrics(algorithm, step, id.length, state === 'diverged');
  if (tornTail) m += '{"step": 99, "epoch": 0, "lr": 0.0';
  writeFileSync(join(dir, 'metrics.jsonl'), m);
  for (const c of ckpts) writeJson(join(dir, 'checkpoints', `step-${String(c).padStart(6, '0')}`, 'meta.json'), { step: c, fixture: true });
  for (const s of samples) writeSample(dir, s, algorithm);
  for (const p of probes) {
    const pdir = join(dir, 'probes', p.id);
    writeJson(join(pdir, 'config.json'), { kind: p.kind, epochs: p.epochs, randomInit: false, checkpointStep: step });
    writeFileSync(join(pdir, 'metrics.jsonl'), Array.from({ length: p.epochs }, (_, e) => JSON.stringify({ epoch: e + 1, loss: 1 / (e + 2), train_top1: p.top1 * (e + 1) / p.epochs, test_top1: p.top1 * (e + 1) / p.epochs })).join('\n') + '\n');
    if (p.kind === 'attentive') {
      const r = rng(7);
      const data = Array.from({ length: COUNT }, (_, k) => {
        const hs = [0, 1].map(() => softmax(Array.from({ length: N }, (_, q) => (q === (k * 5) % N ? 3 : 0) + r())));
        return [...hs, hs[0].map((v, q) => (v + hs[1][q]) / 2)];
      });
      writeJson(join(pdir, 'attention', 'attention.json'), {
        probeId: p.id, imageSize: IMG, patchSize: PATCH, grid: [GRID, GRID], indices: [0, 1, 2, 3], labels: [0, 1, 2, 3], heads: 2, data, maps: [], display: { scale: 1, pad: 0 },
      });
    }
    writeJson(join(pdir, 'result.json'), {
      id: p.id, kind: p.kind, top1: p.top1, top5: p.top5, randomInit: false, checkpointStep: step, epochs: p.epochs, features: p.kind === 'attentive' ? 'tokens' : 'cls',
      numTrain: 512, numTest: 256, numClasses: 10, finishedAt: started,
    });
  }
}

rmSync(ROOT, { recursive: true, force: true });
makeRun('20261120-100000-cae-tiny', { state: 'completed', step: 30, ckpts: [20, 30], samples: [10, 20, 30], started: '2026-11-20T10:00:00.000Z',
  probes: [{ id: 'attentive-20261120-101000', kind: 'attentive', epochs: 5, top1: 0.4375, top5: 0.8125 }, { id: 'linear-20261120-100500', kind: 'linear', epochs: 5, top1: 0.3125, top5: 0.75 }] });
makeRun('20261120-110000-mae-tiny', { algorithm: 'mae', state: 'completed', step: 30, ckpts: [20, 30], samples: [10, 20, 30], started: '2026-11-20T11:00:00.000Z',
  probes: [{ id: 'linear-20261120-110500', kind: 'linear', epochs: 5, top1: 0.2813, top5: 0.6875 }] });
makeRun('20261121-090000-cae-tiny', { state: 'stopped', step: 20, ckpts: [10, 20], samples: [10, 20], started: '2026-11-21T09:00:00.000Z' });
makeRun('20261121-100000-cae-tiny', { state: 'running', step: 14, ckpts: [10], samples: [10], started: '2026-11-21T10:00:00.000Z', tornTail: true });
makeRun('20261121-110000-cae-tiny', { state: 'failed', step: 7, ckpts: [], samples: [], started: '2026-11-21T11:00:00.000Z', error: 'Error: out of memory while allocating a tensor of shape [8,17,32]' });
makeRun('20261121-120000-cae-tiny', { state: 'diverged', step: 12, ckpts: [10], samples: [10], started: '2026-11-21T12:00:00.000Z', error: 'non-finite loss at step 12', warnings: ['representation collapse: latent_std 0.003 < 0.05 while loss_main is flat'] });
console.log(`fixtures written to ${ROOT}`);
