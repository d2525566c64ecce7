// Bundles the CLI, the trainer process and the extension host with esbuild.
// TF.js stays external: its wasm binaries and optional native backends are resolved from node_modules at run time.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const external = ['@tensorflow/*', 'vscode', 'webgpu', 'playwright-core', 'wabt'];
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, external, logLevel: 'warning' };

const entries = [
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' },
  { entryPoints: ['src/cli/trainer-main.ts'], outfile: 'dist/trainer.js' },
  { entryPoints: ['src/data/decode-worker.ts'], outfile: 'dist/decode-worker.js' },
  { entryPoints: ['src/data/loader-worker.ts'], outfile: 'dist/loader-worker.js' },
];
if (existsSync('src/host/extension.ts')) entries.push({ entryPoints: ['src/host/extension.ts'], outfile: 'dist/extension.js' });
const webviews = ['webview/run-panel.ts', 'webview/compare-panel.ts', 'webview/experiments.ts', 'webview/report.ts'].filter(existsSync);

await Promise.all([
  ...entries.map((e) => build({ ...common, ...e })),
  ...webviews.map((w) => build({ entryPoints: [w], outdir: 'dist/webview', bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: false, minify: true, logLevel: 'warning' })),
]);

// Webview assets: the stylesheet next to the scripts (the only folder webviews may load from).
mkdirSync('dist/webview', { recursive: true });
copyFileSync('media/panel.css', 'dist/webview/panel.css');
// JSON schema for *.mimlab.json, generated from FIELDS (contributed via jsonValidation).
await import('./gen-schema.mjs');

// MIM Lab's wasm SIMD kernels (src/ml/kernels/mim-kernels.wat) → dist/mim-kernels.wasm (shared memory, for the
// threaded backend) and dist/mim-kernels.st.wasm (single-threaded backend), compiled with wabt.
{
  const { default: wabtInit } = await import('wabt');
  const wabt = await wabtInit();
  const { readFileSync, writeFileSync } = await import('node:fs');
  const wat = readFileSync('src/ml/kernels/mim-kernels.wat', 'utf8');
  const features = { simd: true, threads: true };
  for (const [file, text] of [
    ['dist/mim-kernels.wasm', wat],
    ['dist/mim-kernels.st.wasm', wat.replace(/^.*;; MEMORY$/m, '  (memory (import "env" "memory") 1)')],
  ]) {
    const mod = wabt.parseWat('mim-kernels.wat', text, features);
    mod.validate(features);
    writeFileSync(file, mod.toBinary({}).buffer);
    mod.destroy();
  }
}
