// Loads one `samples/<step>/` folder for a webview: the manifest, the reconstruction grid as a data URI
// (webviews may only load the extension's own assets) and the raw attention arrays.
import { readFileSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { RUN_FILES } from '../protocol/run-files';
import { sampleDirName, type SampleManifest } from '../protocol/samples';
import type { SampleData } from '../protocol/webview';
import { readJson } from './run-reader';

/** Refuses names that would escape the sample folder (the manifest is data, not trusted code). */
function inside(dir: string, name: string): string | null {
  const p = normalize(join(dir, name));
  return p.startsWith(dir + sep) ? p : null;
}

function readPngDataUri(file: string | null): string {
  if (!file) return '';
  try {
    return `data:image/png;base64,${readFileSync(file).toString('base64')}`;
  } catch {
    return '';
  }
}

export function readSampleData(runDir: string, step: number): SampleData | null {
  const dir = normalize(join(runDir, RUN_FILES.samples, sampleDirName(step)));
  const manifest = readJson<SampleManifest>(join(dir, 'sample.json'));
  if (!manifest || typeof manifest !== 'object') return null;
  const enc = manifest.encoderAttention?.data ? inside(dir, manifest.encoderAttention.data) : null;
  const reg = manifest.regressorAttention?.data ? inside(dir, manifest.regressorAttention.data) : null;
  return {
    manifest,
    reconstruction: readPngDataUri(manifest.reconstruction ? inside(dir, manifest.reconstruction) : null),
    encoderAttention: enc ? readJson<number[][][][]>(enc) : null,
    regressorAttention: reg ? readJson<number[][][]>(reg) : null,
  };
}
