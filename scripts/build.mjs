// Bundles the CLI, the trainer process and the extension host with esbuild.
// TF.js stays external: its wasm binaries and optional native backends are resolved from node_modules at run time.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const external = ['@tensorflow/*', 'vscode', 'webgpu', 'playwright-core'];
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, external, logLevel: 'warning' };

const entries = [
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' },
  { entryPoints: ['src/trainer/main.ts'], outfile: 'dist/trainer.js' },
];
if (existsSync('src/host/extension.ts')) entries.push({ entryPoints: ['src/host/extension.ts'], outfile: 'dist/extension.js' });
const webviews = ['webview/run-panel.ts', 'webview/compare-panel.ts', 'webview/report.ts'].filter(existsSync);

await Promise.all([
  ...entries.map((e) => build({ ...common, ...e })),
  ...webviews.map((w) => build({ entryPoints: [w], outdir: 'dist/webview', bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: false, logLevel: 'warning' })),
]);

// Webview assets: the stylesheet next to the scripts (the only folder webviews may load from).
mkdirSync('dist/webview', { recursive: true });
copyFileSync('media/panel.css', 'dist/webview/panel.css');
// JSON schema for *.mimlab.json, generated from FIELDS (contributed via jsonValidation).
await import('./gen-schema.mjs');
