import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectReport, evenPick } from '../../../src/report/collect';
import { jsonForScript, renderReportHtml } from '../../../src/report/html';

const FIXTURES = 'test/fixtures/runs';

test('collectReport reads config, status, metrics columns, every sample step and the probes', async () => {
  const d = await collectReport(join(FIXTURES, '20261120-100000-cae-tiny'));
  assert.equal(d.runId, '20261120-100000-cae-tiny');
  assert.equal(d.status?.state, 'completed');
  assert.equal(d.config?.algorithm, 'cae');
  assert.equal(d.metrics.step.length, 30);
  assert.equal(d.metrics.loss_align.length, 30);
  assert.deepEqual(d.sampleSteps, [10, 20, 30]);
  assert.deepEqual(d.samples.map((s) => s.manifest.step), [10, 20, 30]);
  for (const s of d.samples) {
    assert.match(s.reconstruction, /^data:image\/png;base64,/);
    assert.ok(Array.isArray(s.encoderAttention) && Array.isArray(s.regressorAttention));
  }
  // The fixture's attentive probe saved its query attention; the linear probe has none.
  assert.deepEqual(d.probes.map((p) => [p.result?.kind, p.attention !== null]), [['attentive', true], ['linear', false]]);
  assert.deepEqual(d.notes, []);
});

test('collectReport tolerates a torn metrics line and a run without samples or probes', async () => {
  const d = await collectReport(join(FIXTURES, '20261121-100000-cae-tiny'));
  assert.ok(d.metrics.step.every((s) => typeof s === 'number'));
  assert.equal(d.status?.state, 'running');
  const mae = await collectReport(join(FIXTURES, '20261120-110000-mae-tiny'));
  assert.equal(mae.metrics.loss_align.every((v) => v === null), true);
});

test('long runs are thinned: at most maxSamples sample steps (first and last kept), with a note', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mimlab-collect-'));
  try {
    const run = join(root, 'run');
    cpSync(join(FIXTURES, '20261120-100000-cae-tiny'), run, { recursive: true });
    const d = await collectReport(run, { maxSamples: 2, maxMetricRows: 10 });
    assert.deepEqual(d.samples.map((s) => s.manifest.step), [10, 30]);
    assert.deepEqual(d.sampleSteps, [10, 20, 30]);
    assert.equal(d.metrics.step.length, 10);
    assert.equal(d.metrics.step.at(-1), 30);
    assert.equal(d.notes.length, 2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('evenPick spreads indices and keeps the ends', () => {
  assert.deepEqual(evenPick(3, 5), [0, 1, 2]);
  assert.deepEqual(evenPick(10, 4), [0, 3, 6, 9]);
  assert.deepEqual(evenPick(10, 1), [9]);
});

test('collectReport refuses a folder that is not a run', async () => {
  await assert.rejects(collectReport(FIXTURES), /not a run folder/);
});

test('embedded data cannot close its script element; the page script is allowed by its hash only', async () => {
  assert.equal(jsonForScript({ a: '</script><script>alert(1)</script>' }).includes('</script'), false);
  const html = renderReportHtml(await collectReport(join(FIXTURES, '20261120-100000-cae-tiny')), 'console.log("</script>")', '');
  assert.match(html, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
  assert.equal((html.match(/<\/script>/g) ?? []).length, 2, 'only the two real closing tags');
  assert.match(html, /connect-src 'none'/);
});
