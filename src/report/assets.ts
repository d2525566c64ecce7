// The report's browser code and styles, inlined into report.html. In a built package they are
// dist/webview/report.js (scripts/build.mjs) and the panels' stylesheet; in a source checkout without a build,
// the script is bundled on the fly with esbuild (a devDependency, so it is required by name at run time).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The folder holding our package.json, from the bundled dist/ or from src/report/. */
export function packageRoot(from = __dirname): string {
  for (let d = from; ; d = dirname(d)) {
    const pkg = join(d, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mim-lab') return d;
    if (dirname(d) === d) throw new Error(`cannot find the mim-lab package folder above ${from}`);
  }
}

interface EsbuildLike {
  build(o: Record<string, unknown>): Promise<{ outputFiles?: { text: string }[] }>;
}

/** Bundles webview/report.ts (chart.js included) to one minified IIFE string. */
export async function bundleReportScript(root = packageRoot()): Promise<string> {
  const entry = join(root, 'webview', 'report.ts');
  if (!existsSync(entry)) throw new Error(`no report script: neither dist/webview/report.js nor ${entry}; run npm run build`);
  const name = 'esbuild'; // a variable, so the CLI bundle does not try to include esbuild
  const esbuild = createRequire(join(root, 'package.json'))(name) as EsbuildLike;
  const r = await esbuild.build({
    entryPoints: [entry], bundle: true, platform: 'browser', target: 'es2022', format: 'iife', write: false, minify: true, legalComments: 'none', logLevel: 'warning',
  });
  const text = r.outputFiles?.[0]?.text;
  if (!text) throw new Error('esbuild produced no report script');
  return text;
}

/** The built script, unless the webview sources are newer (a source checkout edited since the last build). */
export async function loadReportScript(root = packageRoot()): Promise<string> {
  const built = join(root, 'dist', 'webview', 'report.js');
  const src = join(root, 'webview');
  const newest = existsSync(src) ? Math.max(0, ...readdirSync(src).filter((f) => f.endsWith('.ts')).map((f) => statSync(join(src, f)).mtimeMs)) : 0;
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return readFileSync(built, 'utf8');
  try {
    return await bundleReportScript(root);
  } catch (err) {
    if (existsSync(built)) return readFileSync(built, 'utf8');
    throw err;
  }
}

/** The panels' stylesheet (shared look with the run panel), or '' when the package has none. */
export function loadPanelCss(root = packageRoot()): string {
  for (const rel of [['dist', 'webview', 'panel.css'], ['media', 'panel.css'], ['webview', 'panel.css']]) {
    const p = join(root, ...rel);
    if (existsSync(p)) return readFileSync(p, 'utf8');
  }
  return '';
}
