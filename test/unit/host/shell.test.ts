// The webview shell's CSP, the report's CSP rewrite, trainer arguments, the node runtime choice, the schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentSecurityPolicy, makeNonce, renderPanelHtml } from '../../../src/host/panel-html';
import { trainerArgs } from '../../../src/jobs/job-spec';
import { resolveNodeRuntime } from '../../../src/host/node-runtime';
import { describeFailure } from '../../../src/host/run-manager';
import { prepareReportHtml } from '../../../src/host/report-html';
import { FIELDS } from '../../../src/config/schema';

test('panel HTML: default-src none, scripts only with the nonce, assets only from the webview source', () => {
  const nonce = makeNonce();
  assert.match(nonce, /^[A-Za-z0-9]{16,}$/);
  assert.notEqual(nonce, makeNonce());
  const html = renderPanelHtml({ cspSource: 'https://x.vscode-cdn.net', nonce, scriptUri: 'https://x/run-panel.js', styleUri: 'https://x/panel.css', title: 'Run <a>', panel: 'run' });
  const csp = contentSecurityPolicy('https://x.vscode-cdn.net', nonce);
  assert.ok(html.includes(csp));
  assert.match(csp, /^default-src 'none'; /);
  assert.match(csp, new RegExp(`script-src 'nonce-${nonce}'(;|$)`));
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:\/\/(?!x\.vscode-cdn)/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.ok(html.includes(`<script nonce="${nonce}" src="https://x/run-panel.js">`));
  assert.ok(html.includes('Run &lt;a&gt;'));
  assert.ok(html.includes('data-panel="run"'));
});

test('trainer arguments follow the CLI contract', () => {
  assert.deepEqual(trainerArgs({ kind: 'pretrain', runsDir: '/r', preset: 'cae-tiny', sets: ['train.steps=5'], backend: 'auto' }), ['pretrain', '--runs-dir', '/r', '--preset', 'cae-tiny', '--set', 'train.steps=5']);
  assert.deepEqual(trainerArgs({ kind: 'pretrain', runsDir: '/r', configFile: '/c.mimlab.json', name: 'n', backend: 'wasm' }), ['pretrain', '--runs-dir', '/r', '--config', '/c.mimlab.json', '--name', 'n', '--backend', 'wasm']);
  assert.deepEqual(trainerArgs({ kind: 'resume', runDir: '/r/a' }), ['resume', '/r/a']);
  assert.deepEqual(trainerArgs({ kind: 'probe', runDir: '/r/a', probe: 'knn', randomInit: true, checkpoint: 'latest' }), ['probe', '/r/a', '--kind', 'knn', '--random-init', '--checkpoint', 'latest']);
});

test('node runtime: setting, then PATH, then the editor runtime as node', () => {
  assert.equal(resolveNodeRuntime('', '/nonexistent', '/editor/electron').execPath, '/editor/electron');
  assert.deepEqual(resolveNodeRuntime('', '/nonexistent', '/editor/electron').env, { ELECTRON_RUN_AS_NODE: '1' });
  const onPath = resolveNodeRuntime('', process.env.PATH);
  assert.equal(onPath.source, 'path');
  assert.equal(resolveNodeRuntime(process.execPath).source, 'setting');
  assert.throws(() => resolveNodeRuntime('/no/such/node'), /not an executable/);
});

test('failure descriptions', () => {
  const base = { code: 0, signal: null, durationMs: 1, stderrTail: '', done: null, stoppedBy: null, hostError: null } as const;
  assert.equal(describeFailure({ ...base }), null);
  assert.equal(describeFailure({ ...base, code: null, signal: 'SIGKILL', stoppedBy: 'SIGKILL' }), null);
  assert.match(describeFailure({ ...base, code: 1, stderrTail: 'a\nb\nTypeError: boom\n' }) ?? '', /exited with code 1:\n[\s\S]*TypeError: boom/);
  assert.equal(describeFailure({ ...base, done: { type: 'done', job: 'pretrain', state: 'diverged', runDir: '/r', error: 'non-finite loss' } }), 'non-finite loss');
  // A refusal (exit 2) is shown as the CLI's one line, without a stack or a code to decode.
  assert.equal(describeFailure({ ...base, code: 2, stderrTail: 'backend: wasm\nerror: data.path: no image decoded in /d/train: all 3 files failed\n' }), 'data.path: no image decoded in /d/train: all 3 files failed');
});

test('the generated JSON schema describes every config field and validates nothing (MIM Lab reports errors itself)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mimlab-schema-'));
  execFileSync(process.execPath, ['scripts/gen-schema.mjs', join(dir, 's.json')], { cwd: join(__dirname, '../../..') });
  const schema = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  for (const key of Object.keys(FIELDS)) {
    const leaf = key.split('.').reduce((node, k) => node?.properties?.[k], schema);
    assert.ok(leaf?.description, `schema has ${key}`);
  }
  // The JSON service can only warn; config-diagnostics.ts makes unknown keys and wrong values errors.
  assert.doesNotMatch(JSON.stringify(schema), /"(additionalProperties|minimum|exclusiveMinimum|maximum|enum)"/);
  assert.equal(schema.properties.train.properties.steps.type, undefined);
  assert.deepEqual(schema.properties.loss.properties.normPix.examples, [true, false]);
  assert.ok(schema.properties.preset.examples.includes('cae-tiny'));
});

test('a report page gets a no-network CSP and the nonce on each script', () => {
  const out = prepareReportHtml('<html><head><title>r</title></head><body><script>draw()</script><script src="x.js"></script></body></html>', 'N0NCE');
  assert.match(out, /<head>\n<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:;[^"]*script-src 'nonce-N0NCE'/);
  assert.equal((out.match(/<script nonce="N0NCE"/g) ?? []).length, 2);
});
