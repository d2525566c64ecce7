// Overlays for the attention the probe job already dumps (`probes/<id>/attention.json`, AttentionDump in
// src/probe/kinds.ts: test indices, cls-first token rows per head plus their mean). The images are read back from
// the run's dataset (centre view, the run's normalisation), so no probe code is needed to draw them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateConfig } from '../config/resolve';
import type { Config } from '../config/schema';
import { openDataset } from '../data/open';
import { loadCentre } from '../data/pipeline';
import { resolveNormalisation, STATS_FILE } from '../data/stats';
import { modelSpecFromConfig } from '../ml/model-spec';
import { PROBE_FILES, RUN_FILES } from '../protocol/run-files';
import type { ProbeAttentionManifest } from '../protocol/samples';
import { renderProbeAttention } from './probe-attention';

/** Images drawn at most (tiles stay readable in one row). */
const MAX_IMAGES = 8;

interface AttentionDump {
  images: number[];
  heads: number;
  /** Tokens per row: cls first, then the patches in grid order. */
  tokens: number;
  /** number[image][head…, mean][token]. */
  probs: number[][][];
}

function isDump(x: unknown): x is AttentionDump {
  const d = x as Partial<AttentionDump>;
  return typeof x === 'object' && x !== null && Array.isArray(d.images) && typeof d.heads === 'number' && typeof d.tokens === 'number' && Array.isArray(d.probs);
}

/** Renders a probe's dump in memory; null when the probe has none. Throws when the dataset cannot be read. */
export async function probeAttentionFromDump(runDir: string, probeId: string): Promise<{ manifest: ProbeAttentionManifest; pngs: Map<string, Uint8Array> } | null> {
  const file = join(runDir, RUN_FILES.probes, probeId, PROBE_FILES.attention);
  if (!existsSync(file)) return null;
  const dump: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isDump(dump)) return null;
  const config = validateConfig(JSON.parse(readFileSync(join(runDir, RUN_FILES.config), 'utf8')) as Config);
  const dataset = await openDataset(config);
  // The run's cached statistics when present; never write a cache into the run folder from here.
  const norm = await resolveNormalisation(config, dataset, existsSync(join(runDir, STATS_FILE)) ? runDir : undefined);
  const n = Math.min(MAX_IMAGES, dump.images.length);
  const batch = await loadCentre(dataset.test, dump.images.slice(0, n), { imageSize: config.data.imageSize, channels: config.data.channels, mean: norm.mean, std: norm.std });
  const H = dump.heads;
  const T = dump.tokens;
  const probs = new Float32Array(n * H * T);
  for (let i = 0; i < n; i++) for (let h = 0; h < H; h++) probs.set(dump.probs[i][h].slice(0, T), (i * H + h) * T);
  return renderProbeAttention(probeId, { images: batch.images, indices: Array.from(batch.indices), labels: Array.from(batch.labels), norm },
    { probs, heads: H }, modelSpecFromConfig(config).geometry);
}
