// Builds the compare panel's snapshot from run folders: curves, probe results and the config values that differ.
import { join } from 'node:path';
import { displayConfigValue } from '../protocol/config-fields';
import { engineLabel, RUN_FILES } from '../protocol/run-files';
import { randomInitFloors } from '../protocol/probe-scores';
import type { CompareRun } from '../protocol/webview';
import { rowsToColumns } from './metrics-tail';
import { readAllMetrics, readJson, readRunSummary } from './run-reader';

const KEY_FIELDS = ['algorithm', 'preset', 'loss.alignWeight', 'train.lr', 'train.steps', 'train.batchSize', 'mask.kind', 'mask.count', 'model.layerScale', 'model.dim', 'model.depth'];

function get(obj: unknown, dotted: string): unknown {
  let cur = obj;
  for (const k of dotted.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** What a random-init probe's score depends on: the encoder's architecture and the data it is probed on. */
const FLOOR_FIELDS = ['model.patchSize', 'model.dim', 'model.depth', 'model.heads', 'model.mlpRatio', 'model.layerScale', 'data.imageSize', 'data.channels', 'data.dataset', 'data.path'];

/** Each run's random-init floors: the best random-init probes among the compared runs of the same architecture and data. */
function withFloors(runs: (CompareRun & { floorKey: string })[]): CompareRun[] {
  return runs.map(({ floorKey, ...r }) => ({ ...r, randomInitFloors: randomInitFloors(runs.filter((o) => o.floorKey === floorKey).flatMap((o) => o.probes)) }));
}

export function buildCompareRuns(runDirs: readonly string[], isLiveRun: (runDir: string) => boolean): CompareRun[] {
  return withFloors(runDirs.map((runDir) => {
    const s = readRunSummary(runDir, isLiveRun(runDir));
    const config = readJson<Record<string, unknown>>(join(runDir, RUN_FILES.config));
    const keyConfig: Record<string, string> = {};
    for (const k of KEY_FIELDS) {
      const v = get(config, k);
      if (v !== undefined) keyConfig[k] = displayConfigValue(k, v, config?.algorithm);
    }
    return {
      runId: s.runId, runDir, algorithm: s.algorithm, preset: s.preset, engine: engineLabel(s.status, config?.engine), displayState: s.displayState,
      step: s.status?.step ?? 0, totalSteps: s.status?.totalSteps ?? 0,
      metrics: rowsToColumns(readAllMetrics(runDir)), probes: s.probes, keyConfig,
      floorKey: JSON.stringify(FLOOR_FIELDS.map((k) => get(config, k))),
    };
  }));
}
