// Generates the JSON schema for `*.mimlab.json` run configs from FIELDS (src/config/schema.ts) and PRESETS,
// so the editor validates and completes config files with the same rules as the trainer.
// Usage: node scripts/gen-schema.mjs [out]  (called by scripts/build.mjs; default out dist/mimlab.schema.json)
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

async function loadConfigModules() {
  const r = await build({
    stdin: { contents: "export { FIELDS } from './src/config/schema'; export { PRESETS } from './src/config/presets';", resolveDir: process.cwd(), loader: 'ts' },
    bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'warning',
  });
  return import(`data:text/javascript;base64,${Buffer.from(r.outputFiles[0].text).toString('base64')}`);
}

// The schema completes and describes keys and values but validates nothing: the editor's JSON service can only
// report schema problems as warnings, so MIM Lab's own diagnostics (src/host/config-diagnostics.ts) report
// unknown keys and wrong values as errors, in the CLI's words, and a second copy here would only add warnings.
function leafSchema(t, description) {
  switch (t.kind) {
    case 'bool': return { description, examples: [true, false] };
    case 'enum': return { description, examples: [...t.values] };
    default: return { description };
  }
}

export function makeSchema(FIELDS, PRESETS) {
  const root = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'MIM Lab run config',
    description: 'A pretraining run config: a preset plus overrides. MIM Lab reports unknown keys, wrong values and cross-field problems (e.g. data.imageSize not divisible by model.patchSize) as errors.',
    properties: { $schema: { type: 'string' } },
  };
  for (const [key, spec] of Object.entries(FIELDS)) {
    const parts = key.split('.');
    let node = root;
    for (const p of parts.slice(0, -1)) {
      node.properties[p] ??= { properties: {} };
      node = node.properties[p];
    }
    node.properties[parts.at(-1)] = leafSchema(spec.type, spec.description);
  }
  root.properties.preset = {
    examples: Object.keys(PRESETS),
    description: `Preset the config starts from; the other keys override it. ${Object.entries(PRESETS).map(([name, p]) => `${name}: ${p.description}`).join(' · ')}`,
  };
  return root;
}

const { FIELDS, PRESETS } = await loadConfigModules();
const out = process.argv[2] ?? 'dist/mimlab.schema.json';
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(makeSchema(FIELDS, PRESETS), null, 2) + '\n');
