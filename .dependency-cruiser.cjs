// Import boundaries between MIM Lab's three runtimes (host, engine, webviews), checked by `npm run lint`
// (part of `npm test`). The engine layers, bottom to top: protocol/util/config → ml → data → tokenizer →
// diagnostics → trainer → probe → report/bench → cli; no folder may import a folder that imports it back.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      comment: 'Folders form layers: a folder that imports another must not be imported back by it, directly or through others.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^(src|webview)/' },
      to: { circular: true },
    },
    {
      name: 'webview-only-protocol',
      comment: 'Webviews run in a browser: from src/ they may import only the pure contract in src/protocol (not its Node-side readers).',
      severity: 'error',
      from: { path: '^webview/' },
      to: { path: '^src/', pathNot: '^src/protocol/[^/]+$' },
    },
    {
      name: 'webview-no-node',
      comment: 'Webviews run in a browser: no Node builtins.',
      severity: 'error',
      from: { path: '^webview/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'protocol-contract-is-pure',
      comment: 'src/protocol/*.ts is imported by webviews, so it imports no Node builtins and nothing outside src/protocol; Node-side readers live in src/protocol/read/.',
      severity: 'error',
      from: { path: '^src/protocol/[^/]+$' },
      to: { pathNot: '^src/protocol/[^/]+$' },
    },
    {
      name: 'host-through-protocol',
      comment: 'The extension host talks to the engine through the run folder and messages (src/protocol), resolves configs (src/config), starts and watches engine processes (src/jobs), and reads studies (src/sweep) and run rows (src/probe/compare.ts); it never imports engine code.',
      severity: 'error',
      from: { path: '^src/host/' },
      to: { path: '^src/', pathNot: '^src/((host|protocol|config|util|jobs|sweep)/|probe/compare\\.ts$)' },
    },
    {
      name: 'host-side-layers-load-no-engine',
      comment: 'What the host may import must not bring the engine (TF.js models, data pipelines, diagnostics) in with it.',
      severity: 'error',
      from: { path: '^src/(jobs/|sweep/|probe/compare\\.ts$)' },
      to: { path: '^src/(ml|data|tokenizer|diagnostics|report|bench|cli)/' },
    },
    {
      name: 'vscode-only-in-host',
      comment: 'Only the extension host runs inside VS Code; the engine, CLI and webviews must work without it.',
      severity: 'error',
      from: { pathNot: '^src/host/' },
      to: { path: '^vscode$' },
    },
    {
      name: 'engine-not-into-host-or-webview',
      comment: 'The engine and CLI never import editor code.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/host/' },
      to: { path: '^(src/host|webview)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.json'] },
  },
};
