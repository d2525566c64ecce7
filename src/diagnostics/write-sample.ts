// Writes one `samples/<step>/` folder atomically (see publish-dir.ts); the manifest goes in last.
import { join } from 'node:path';
import { RUN_FILES, SAMPLE_MANIFEST } from '../protocol/run-files';
import { sampleDirName, type SampleManifest } from '../protocol/samples';
import { publishDir } from './publish-dir';

/** Returns the file names written, manifest included. */
export function writeSampleDir(runDir: string, manifest: SampleManifest, files: Map<string, Uint8Array | string>): string[] {
  const all = new Map(files);
  all.set(SAMPLE_MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  publishDir(join(runDir, RUN_FILES.samples, sampleDirName(manifest.step)), all);
  return [...all.keys()];
}
