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

function leafSchema(t, description) {
  switch (t.kind) {
    case 'int':
    case 'number': {
      const s = { type: t.kind === 'int' ? 'integer' : 'number', description };
      if (t.min !== undefined) s[t.exclusiveMin ? 'exclusiveMinimum' : 'minimum'] = t.min;
      if (t.max !== undefined) s.maximum = t.max;
      return s;
    }
    case 'bool': return { type: 'boolean', description };
    case 'string': return { type: 'string', description };
    case 'enum': return { type: 'string', enum: [...t.values], description };
    case 'numbers': {
      const s = { type: 'array', items: { type: 'number', ...(t.min !== undefined ? { minimum: t.min } : {}) }, description };
      if (t.length !== undefined) Object.assign(s, { minItems: t.length, maxItems: t.length });
      return s;
    }
    default: throw new Error(`unknown field kind ${t.kind}`);
  }
}

export function makeSchema(FIELDS, PRESETS) {
  const root = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'MIM Lab run config',
    description: 'A pretraining run config: a preset plus overrides. Unknown keys are errors. Cross-field rules (e.g. data.imageSize divisible by model.patchSize) are checked when the run starts.',
    type: 'object',
    additionalProperties: false,
    properties: { $schema: { type: 'string' } },
  };
  for (const [key, spec] of Object.entries(FIELDS)) {
    const parts = key.split('.');
    let node = root;
    for (const p of parts.slice(0, -1)) {
      node.properties[p] ??= { type: 'object', additionalProperties: false, properties: {} };
      node = node.properties[p];
    }
    node.properties[parts.at(-1)] = leafSchema(spec.type, spec.description);
  }
  root.properties.preset = {
    type: 'string',
    enum: Object.keys(PRESETS),
    enumDescriptions: Object.values(PRESETS).map((p) => p.description),
    description: 'Preset the config starts from; the other keys override it.',
  };
  return root;
}

const { FIELDS, PRESETS } = await loadConfigModules();
const out = process.argv[2] ?? 'dist/mimlab.schema.json';
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(makeSchema(FIELDS, PRESETS), null, 2) + '\n');
