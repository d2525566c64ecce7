import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../../src/config/resolve';
import { decodeImage } from '../../../src/data/png';
import { probeAttentionFromDump } from '../../../src/diagnostics/probe-attention-dump';
import { writeJsonAtomic } from '../../../src/util/fs-atomic';
import { writeProbeAttention } from '../../../src/diagnostics/probe-attention';
import type { ProbeAttentionManifest } from '../../../src/protocol/samples';

const geometry = { imageSize: 16, patchSize: 4, channels: 3 };
const N = 16;
const n = 3;
const H = 2;
const images = {
  images: new Float32Array(n * 16 * 16 * 3).map((_, i) => Math.sin(i)),
  indices: [4, 9, 11], labels: [4, 9, 1], norm: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
};

function softmaxRows(rows: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < width; k++) s += out[r * width + k] = Math.exp(Math.cos(r * 3 + k));
    for (let k = 0; k < width; k++) out[r * width + k] /= s;
  }
  return out;
}

for (const keys of [N + 1, N]) {
  test(`writeProbeAttention (${keys === N ? 'patch keys only' : 'cls key first'}): rows over patches sum to 1, overlays sized per image`, () => {
    const root = mkdtempSync(join(tmpdir(), 'mimlab-probe-attn-'));
    try {
      const dir = writeProbeAttention(root, 'attentive-1', images, { probs: softmaxRows(n * H, keys), heads: H }, geometry);
      assert.equal(dir, join(root, 'probes', 'attentive-1', 'attention'));
      const m = JSON.parse(readFileSync(join(dir, 'attention.json'), 'utf8')) as ProbeAttentionManifest;
      assert.deepEqual(m.indices, images.indices);
      assert.equal(m.data.length, n);
      for (const im of m.data) {
        assert.equal(im.length, H + 1);
        for (const row of im) {
          assert.equal(row.length, N);
          assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
        }
      }
      assert.deepEqual(m.maps.map((x) => x.head), [0, 1, 'avg']);
      const { scale, pad } = m.display;
      for (const map of m.maps) {
        const img = decodeImage(readFileSync(join(dir, map.png)), map.png);
        assert.deepEqual([img.width, img.height], [n * 16 * scale + (n + 1) * pad, 16 * scale + 2 * pad]);
      }
      assert.deepEqual(readdirSync(join(root, 'probes', 'attentive-1')), ['attention'], 'no temporaries left');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

test('writeProbeAttention refuses arrays of the wrong shape', () => {
  assert.throws(() => writeProbeAttention('/nonexistent', 'p', images, { probs: new Float32Array(n * H * 5), heads: H }, geometry), /is not \[3, 2, 16 or 17\]/);
});

test('probeAttentionFromDump draws the probe job\'s own attention.json over the run\'s test images', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mimlab-probe-dump-'));
  try {
    const config = resolveConfig({ preset: 'cae-tiny', sets: ['data.mean=0.5,0.5,0.5', 'data.std=0.25,0.25,0.25'] });
    writeJsonAtomic(join(root, 'config.json'), config);
    const rows = softmaxRows(2 * (H + 1), N + 1);
    const probs = [0, 1].map((i) => [0, 1, 2].map((h) => Array.from(rows.subarray((i * 3 + h) * (N + 1), (i * 3 + h + 1) * (N + 1)))));
    mkdirSync(join(root, 'probes', 'attentive-x'), { recursive: true });
    writeJsonAtomic(join(root, 'probes', 'attentive-x', 'attention.json'), { images: [3, 7], heads: H, tokens: N + 1, probs });
    const r = await probeAttentionFromDump(root, 'attentive-x');
    assert.ok(r);
    assert.deepEqual(r.manifest.indices, [3, 7]);
    assert.deepEqual(r.manifest.labels, [3, 7]); // synthetic: label = index mod 10
    for (const row of r.manifest.data.flat(1)) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    const avg = decodeImage(r.pngs.get('attention-havg.png') as Uint8Array, 'avg');
    assert.equal(avg.width, 2 * 16 * r.manifest.display.scale + 3 * r.manifest.display.pad);
    assert.equal(await probeAttentionFromDump(root, 'no-such-probe'), null);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
